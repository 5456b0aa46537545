// generate(): HF's GenerationMixin.generate (transformers v4.40.2 generation/utils.py) for our
// causal-LM and seq2seq models — greedy search, multinomial sampling and beam search, with the
// logits processors of logits_processors.h — returning what return_dict_in_generate=True returns.
//
// Decoder-only prompts are left-padded (attention_mask 0 on the left); positions follow HF's
// cumsum(mask) - 1. Encoder-decoder models encode input_ids once and decode from
// decoder_start_token_id (falling back to bos_token_id). Not implemented (refused by
// GenerationConfig): beam sampling, group/diverse/constrained beam search, contrastive search,
// assisted decoding.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "adalora/generation/generation_config.h"
#include "adalora/models/model.h"

namespace adalora::generation {

struct GenerateOutput {
  /// [B * num_return_sequences, L] int64: prompt (decoder-only) or decoder start token, then the
  /// generated tokens; finished rows padded with pad_token_id.
  torch::Tensor sequences;
  /// [B * num_return_sequences] float32. Beam search: HF's sequences_scores (sum of log-probs /
  /// generated_len^length_penalty). Greedy / sampling (ours, HF has none): the sum of the
  /// log-probabilities, after processors and warpers, of the generated tokens up to and including
  /// the first eos.
  torch::Tensor sequences_scores;
  /// output_scores: per step [B * num_beams (or num_return_sequences), V] — greedy/sampling: the
  /// processed (and warped) logits; beam search: processed log_softmax WITHOUT the beam score.
  std::vector<torch::Tensor> scores;
  /// output_logits: per step the raw next-token logits, same shape.
  std::vector<torch::Tensor> logits;
};

/// Generates from `input_ids` [B, T] int64 with `attention_mask` [B, T] (undefined → HF's default:
/// ids != pad_token_id when the pad id occurs in the input and is not an eos id, else all ones).
/// Runs without autograd; does not change the model's train/eval mode. Throws Error for a prompt
/// longer than the config's max_position_embeddings (n_positions), a prompt not shorter than
/// max_length, and settings HF refuses.
GenerateOutput generate(models::Model& model, const torch::Tensor& input_ids,
                        const torch::Tensor& attention_mask, const GenerationConfig& config);

}  // namespace adalora::generation
