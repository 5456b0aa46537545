// The bookkeeping of beam search, as HF's BeamHypotheses and BeamSearchScorer
// (transformers v4.40.2 generation/beam_search.py; one beam group, no constraints).
//
// A finished hypothesis is scored sum_logprobs / generated_len^length_penalty, where
// generated_len counts the tokens after the decoder prompt, the closing eos included (HF passes
// cur_len = input_ids.shape[-1] + 1 when an eos candidate closes a beam). Scores are kept in double
// as Python floats are; the returned sequences_scores are float32 as HF's.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "adalora/generation/generation_config.h"

namespace adalora::generation {

/// The n best finished hypotheses of one input.
class BeamHypotheses {
 public:
  BeamHypotheses(int64_t num_beams, double length_penalty, EarlyStopping early_stopping,
                 int64_t max_length);

  struct Hypothesis {
    double score;
    torch::Tensor tokens;  ///< [L] int64
  };

  /// Adds `tokens` with `sum_logprobs` if it is among the num_beams best (drops the worst then).
  void add(const torch::Tensor& tokens, double sum_logprobs, int64_t generated_len);
  /// HF's is_done for the three early_stopping settings.
  bool is_done(double best_sum_logprobs, int64_t cur_len, int64_t decoder_prompt_len) const;

  int64_t size() const { return static_cast<int64_t>(beams_.size()); }
  const std::vector<Hypothesis>& beams() const { return beams_; }
  double worst_score() const { return worst_score_; }

 private:
  int64_t num_beams_;
  double length_penalty_;
  EarlyStopping early_stopping_;
  int64_t max_length_;
  std::vector<Hypothesis> beams_;  // insertion order, as HF's list
  double worst_score_ = 1e9;
};

/// Beam search over `batch_size` inputs of `num_beams` beams each.
class BeamSearchScorer {
 public:
  BeamSearchScorer(int64_t batch_size, const GenerationConfig& config);

  struct Step {
    torch::Tensor beam_scores;   ///< [B * num_beams] float
    torch::Tensor beam_tokens;   ///< [B * num_beams] int64
    torch::Tensor beam_indices;  ///< [B * num_beams] int64 rows of input_ids each beam continues
  };
  /// HF's process(): `input_ids` [B * num_beams, L]; candidates [B, 2 * num_beams] (scores sorted
  /// descending, tokens, source beam within the input).
  Step process(const torch::Tensor& input_ids, const torch::Tensor& next_scores,
               const torch::Tensor& next_tokens, const torch::Tensor& next_indices,
               int64_t decoder_prompt_len);

  struct Result {
    torch::Tensor sequences;        ///< [B * num_return_sequences, L'] int64
    torch::Tensor sequences_scores; ///< [B * num_return_sequences] float
  };
  /// HF's finalize(): adds the open beams, picks the best, pads with pad_token_id, appends eos
  /// where it fits under max_length.
  Result finalize(const torch::Tensor& input_ids, const torch::Tensor& final_beam_scores,
                  int64_t decoder_prompt_len) const;

  bool is_done() const;

 private:
  int64_t num_beams_;
  int64_t num_return_;
  int64_t max_length_;
  std::vector<int64_t> eos_;
  std::optional<int64_t> pad_;
  std::vector<BeamHypotheses> hyps_;
  std::vector<bool> done_;
};

}  // namespace adalora::generation
