// HF's GenerationConfig (transformers v4.40.2 generation/configuration_utils.py), limited to the
// fields our decoding implements: lengths, greedy / beam search / sampling, and the logits
// processors of logits_processors.h. Read from a model folder the way from_pretrained does it:
// generation_config.json when present, else the generation fields of config.json.
//
// Fields HF has but we do not implement (diverse beams, contrastive search, bad words, ...) are
// refused with an Error naming the field when they are set to anything but HF's default, never
// silently ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::generation {

/// HF's `early_stopping`: false (heuristic stop), true (stop at num_beams finished hypotheses) or
/// "never" (canonical beam search: stop only when no better hypothesis can appear).
enum class EarlyStopping { False, True, Never };

struct GenerationConfig {
  int64_t max_length = 20;                 ///< total length, prompt (or decoder start) included
  std::optional<int64_t> max_new_tokens;   ///< takes precedence over max_length
  int64_t min_length = 0;                  ///< total length below which EOS is forbidden
  std::optional<int64_t> min_new_tokens;   ///< new tokens below which EOS is forbidden
  bool do_sample = false;
  int64_t num_beams = 1;
  int64_t num_return_sequences = 1;
  double length_penalty = 1.0;             ///< beam score = sum log p / generated_len^length_penalty
  EarlyStopping early_stopping = EarlyStopping::False;
  double temperature = 1.0;
  int64_t top_k = 50;                      ///< 0 = off (HF's default 50 applies when sampling)
  double top_p = 1.0;
  double repetition_penalty = 1.0;
  int64_t no_repeat_ngram_size = 0;
  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_id;       ///< empty = none; HF accepts an int or a list
  std::optional<int64_t> pad_token_id;
  std::optional<int64_t> decoder_start_token_id;
  std::optional<int64_t> forced_bos_token_id;
  std::vector<int64_t> forced_eos_token_id;  ///< empty = none
  bool use_cache = true;                   ///< false: a full forward per step (the reference path)
  bool output_scores = false;              ///< keep per-step processed scores (HF's output_scores)
  bool output_logits = false;              ///< keep per-step raw logits (HF's output_logits)
  uint64_t seed = 0;                       ///< ours: the sampling generator's seed
};

/// Applies the fields present in `json` (generation_config.json or config.json) onto `base`.
/// Wrong types/values throw "<source>: <field>: expected ..., got ...".
GenerationConfig parse_generation_config(const io::JsonObject& json, GenerationConfig base = {});

/// `dir`/generation_config.json when it exists, else the generation fields of `dir`/config.json.
GenerationConfig load_generation_config(const std::string& dir);

/// Checks the combination (num_beams >= num_return_sequences, sampling parameters in range, ...);
/// `source` names the configuration in the message.
void validate(const GenerationConfig& config, const std::string& source = "generation config");

/// HF's _prepare_generated_length: max_length / min_length after max_new_tokens / min_new_tokens,
/// for a decoder input of `input_length` tokens (the prompt, or 1 for the decoder start token).
GenerationConfig resolve_lengths(GenerationConfig config, int64_t input_length);

}  // namespace adalora::generation
