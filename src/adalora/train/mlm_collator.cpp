// Masked-LM masking (see mlm_collator.h).
#include "adalora/train/mlm_collator.h"

#include <ATen/CPUGeneratorImpl.h>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

const MlmCollatorOptions& validated(const MlmCollatorOptions& o) {
  auto probability = [](double p) { return p >= 0 && p <= 1; };
  ADALORA_CHECK(probability(o.mlm_probability),
                "mlm collator: mlm_probability: expected a value in [0, 1], got ",
                o.mlm_probability);
  ADALORA_CHECK(probability(o.mask_replace_prob) && probability(o.random_replace_prob) &&
                    o.mask_replace_prob + o.random_replace_prob <= 1,
                "mlm collator: mask_replace_prob + random_replace_prob: expected values in [0, 1] "
                "summing to at most 1, got ",
                o.mask_replace_prob, " + ", o.random_replace_prob);
  ADALORA_CHECK(o.vocab_size > 0, "mlm collator: vocab_size: expected > 0, got ", o.vocab_size);
  ADALORA_CHECK(o.mask_token_id >= 0 && o.mask_token_id < o.vocab_size,
                "mlm collator: mask_token_id: expected an id in [0, ", o.vocab_size, "), got ",
                o.mask_token_id);
  return o;
}

}  // namespace

MlmCollator::MlmCollator(MlmCollatorOptions options)
    : options_(validated(options)), generator_(at::detail::createCPUGenerator(options_.seed)) {
  std::vector<int64_t> ids = options_.special_token_ids;
  if (options_.pad_token_id >= 0) ids.push_back(options_.pad_token_id);
  special_ids_ = torch::tensor(ids, torch::kInt64);
}

torch::Tensor MlmCollator::eligible(const torch::Tensor& input_ids) const {
  if (special_ids_.numel() == 0) return torch::ones_like(input_ids, torch::kBool);
  return torch::isin(input_ids, special_ids_).logical_not();  // [B, T]
}

MlmBatch MlmCollator::mask(const torch::Tensor& input_ids) {
  ADALORA_CHECK(input_ids.dim() == 2 && input_ids.scalar_type() == torch::kInt64,
                "mlm collator: input_ids: expected a [batch, seq] int64 tensor, got ",
                input_ids.sizes(), " ", input_ids.scalar_type());
  const auto shape = input_ids.sizes();
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  MlmBatch b;
  b.input_ids = input_ids.clone();  // [B, T]
  b.attention_mask = options_.pad_token_id >= 0
                         ? input_ids.ne(options_.pad_token_id).to(torch::kInt64)
                         : torch::ones_like(input_ids);
  // HF: probability_matrix with specials and padding at 0, then bernoulli.
  const torch::Tensor probability = torch::full(shape, options_.mlm_probability, f32)
                                        .masked_fill(eligible(input_ids).logical_not(), 0.0);
  const torch::Tensor selected =
      torch::bernoulli(probability, generator_).to(torch::kBool);  // [B, T]
  b.labels = input_ids.masked_fill(selected.logical_not(), -100);
  const torch::Tensor replaced =
      torch::bernoulli(torch::full(shape, options_.mask_replace_prob, f32), generator_)
          .to(torch::kBool) &
      selected;
  b.input_ids.masked_fill_(replaced, options_.mask_token_id);
  // Of the rest, the random share (HF: 0.5 of the remaining 20 % for the defaults).
  const double rest = 1.0 - options_.mask_replace_prob;
  const double random_given_rest =
      rest > 0 ? std::min(1.0, options_.random_replace_prob / rest) : 0.0;
  const torch::Tensor randomised =
      torch::bernoulli(torch::full(shape, random_given_rest, f32), generator_).to(torch::kBool) &
      selected & replaced.logical_not();
  const torch::Tensor random_ids = torch::randint(options_.vocab_size, shape, generator_,
                                                  torch::TensorOptions().dtype(torch::kInt64));
  b.input_ids = torch::where(randomised, random_ids, b.input_ids);
  return b;
}

}  // namespace adalora::train
