#include "adalora/models/causal_mask.h"

#include <limits>

#include "adalora/core/error.h"

namespace adalora::models {

double finfo_min(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat64: return std::numeric_limits<double>::lowest();
    case torch::kFloat16: return -65504.0;
    case torch::kBFloat16: return -3.3895313892515355e38;
    default: return static_cast<double>(std::numeric_limits<float>::lowest());
  }
}

torch::Tensor padding_mask(const torch::Tensor& mask, torch::ScalarType dtype) {
  ADALORA_CHECK(mask.dim() == 2, "attention mask: expected [batch, length], got ", mask.sizes());
  const auto blocked = mask.eq(0).unsqueeze(1).unsqueeze(2);  // [B, 1, 1, S]
  return torch::zeros(blocked.sizes(), mask.options().dtype(dtype)).masked_fill(blocked, finfo_min(dtype));
}

torch::Tensor causal_attention_mask(const torch::Tensor& attention_mask, int64_t T, int64_t past,
                                    torch::ScalarType dtype, MaskCombine combine, torch::Device device) {
  const int64_t S = past + T;
  if (attention_mask.defined()) {
    ADALORA_CHECK(attention_mask.dim() == 2 && attention_mask.size(1) == S,
                  "attention_mask: expected [batch, ", S, "] (", past, " cached + ", T,
                  " new positions), got ", attention_mask.sizes());
  }
  const double min = finfo_min(dtype);
  const auto options = torch::TensorOptions().dtype(dtype).device(device);
  const auto key = torch::arange(S, options.dtype(torch::kLong)).unsqueeze(0);             // [1, S]
  const auto query = torch::arange(past, S, options.dtype(torch::kLong)).unsqueeze(1);     // [T, 1]
  auto mask = torch::zeros({T, S}, options).masked_fill(key > query, min).view({1, 1, T, S});
  if (!attention_mask.defined()) return mask;
  const auto padded = attention_mask.to(device).eq(0).view({-1, 1, 1, S});  // [B, 1, 1, S]
  if (combine == MaskCombine::Clamp) return mask.masked_fill(padded, min);
  // (1 − m)·min, added: min + min overflows to −inf in float32, as in HF.
  const auto padding = (1.0 - attention_mask.to(device).to(dtype)).view({-1, 1, 1, S}) * min;
  return mask + padding;
}

}  // namespace adalora::models
