// The logits processors and warpers HF's generate() builds from a GenerationConfig
// (transformers v4.40.2 generation/logits_process.py, utils.py _get_logits_processor /
// _get_logits_warper), in HF's order:
//   processors: repetition_penalty, no_repeat_ngram, min_length, min_new_tokens, forced_bos,
//               forced_eos
//   warpers (sampling only, after the processors): temperature, top_k, top_p
// Each one maps (input_ids [N, L] int64 — every token so far, prompt included — and scores
// [N, V] float) to new scores [N, V]; "banned" means -inf, as HF.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "adalora/generation/generation_config.h"

namespace adalora::generation {

struct LogitsProcessor {
  std::string name;  ///< HF's class name, for messages and tests
  std::function<torch::Tensor(const torch::Tensor& input_ids, const torch::Tensor& scores)> apply;
};
using LogitsProcessorList = std::vector<LogitsProcessor>;

/// Runs `list` in order.
torch::Tensor apply_processors(const LogitsProcessorList& list, const torch::Tensor& input_ids,
                               const torch::Tensor& scores);

/// The processors `config` turns on (lengths already resolved, see resolve_lengths);
/// `input_length` is the decoder input length at the start (prompt length, or 1).
LogitsProcessorList build_logits_processors(const GenerationConfig& config, int64_t input_length);
/// The sampling warpers `config` turns on.
LogitsProcessorList build_logits_warpers(const GenerationConfig& config);

// The individual processors (each HF class of the same name).
LogitsProcessor min_length_processor(int64_t min_length, std::vector<int64_t> eos_token_id);
LogitsProcessor min_new_tokens_processor(int64_t prompt_length, int64_t min_new_tokens,
                                         std::vector<int64_t> eos_token_id);
LogitsProcessor repetition_penalty_processor(double penalty);
LogitsProcessor no_repeat_ngram_processor(int64_t ngram_size);
LogitsProcessor forced_bos_processor(int64_t bos_token_id);
LogitsProcessor forced_eos_processor(int64_t max_length, std::vector<int64_t> eos_token_id);
LogitsProcessor temperature_warper(double temperature);
LogitsProcessor top_k_warper(int64_t top_k, int64_t min_tokens_to_keep = 1);
LogitsProcessor top_p_warper(double top_p, int64_t min_tokens_to_keep = 1);

}  // namespace adalora::generation
