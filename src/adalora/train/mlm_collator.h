// Masked-language-model masking of a batch, as HF transformers v4.40.2
// DataCollatorForLanguageModeling.torch_mask_tokens does it: every position that is neither a
// special token nor padding is selected with probability `mlm_probability`; of the selected ones
// 80 % become [MASK], 10 % a random id from the whole vocabulary (HF: randint(len(tokenizer))),
// 10 % stay unchanged; labels hold the original id at selected positions and -100 elsewhere.
// The proportions are per-token Bernoulli draws as in HF, so 15 % is an expectation, not a count.
// All draws come from the collator's own seeded torch generator, in HF's order (selection, mask,
// random-or-keep, random ids), so a run is deterministic and independent of the global generator
// (which dropout uses). Not here: padding and tokenisation (the batch arrives as ids), whole-word
// masking.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace adalora::train {

struct MlmCollatorOptions {
  double mlm_probability = 0.15;     ///< share of eligible tokens selected for prediction
  double mask_replace_prob = 0.8;    ///< of the selected: replaced by mask_token_id
  double random_replace_prob = 0.1;  ///< of the selected: replaced by a random id (rest unchanged)
  int64_t mask_token_id = -1;        ///< required
  int64_t vocab_size = 0;            ///< random ids are drawn from [0, vocab_size); required
  int64_t pad_token_id = -1;         ///< never selected; -1: no padding token
  std::vector<int64_t> special_token_ids;  ///< never selected ([CLS], [SEP], [UNK], [MASK], …)
  uint64_t seed = 42;                      ///< seed of the collator's generator
};

/// One masked batch. B = batch, T = sequence length.
struct MlmBatch {
  torch::Tensor input_ids;       ///< [B, T] int64, masked
  torch::Tensor attention_mask;  ///< [B, T] int64, 1 = real token (pad_token_id → 0)
  torch::Tensor labels;          ///< [B, T] int64, original id at selected positions, else -100
};

class MlmCollator {
 public:
  /// Checks the options; adalora::Error names the field.
  explicit MlmCollator(MlmCollatorOptions options);

  /// Masks `input_ids` ([B, T] int64, not modified) with the next draws of the generator.
  MlmBatch mask(const torch::Tensor& input_ids);

  /// [B, T] bool: positions that may be selected (not special, not padding).
  torch::Tensor eligible(const torch::Tensor& input_ids) const;

  const MlmCollatorOptions& options() const { return options_; }

 private:
  MlmCollatorOptions options_;
  torch::Tensor special_ids_;  // [S] int64
  at::Generator generator_;
};

}  // namespace adalora::train
