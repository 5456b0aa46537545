#include "adalora/models/attention_masks.h"

#include <limits>

#include "adalora/core/error.h"
#include "adalora/models/causal_mask.h"

namespace adalora::models {

// finfo_min: defined once, in causal_mask.cpp (the decoders branch), with the same values.

torch::Tensor padding_mask(const torch::Tensor& mask, torch::ScalarType dtype) {
  ADALORA_CHECK(mask.dim() == 2, "attention mask: expected [batch, length], got ", mask.sizes());
  const auto blocked = mask.eq(0).unsqueeze(1).unsqueeze(2);  // [B, 1, 1, S]
  return torch::zeros(blocked.sizes(), mask.options().dtype(dtype)).masked_fill(blocked, finfo_min(dtype));
}

torch::Tensor causal_mask(int64_t T, int64_t P, const torch::Tensor& mask, torch::ScalarType dtype,
                          torch::Device device) {
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  const auto query = torch::arange(P, P + T, opts).unsqueeze(1);  // [T, 1] absolute positions
  const auto key = torch::arange(P + T, opts).unsqueeze(0);       // [1, P + T]
  auto blocked = key.gt(query).unsqueeze(0).unsqueeze(0);         // [1, 1, T, P + T]
  if (mask.defined()) {
    ADALORA_CHECK(mask.dim() == 2 && mask.size(1) == P + T, "attention mask: expected [batch, ", P + T,
                  "] (cached + new positions), got ", mask.sizes());
    blocked = blocked.logical_or(mask.to(device).eq(0).unsqueeze(1).unsqueeze(2));  // [B, 1, T, P + T]
  }
  return torch::zeros(blocked.sizes(), torch::TensorOptions().dtype(dtype).device(device))
      .masked_fill(blocked, finfo_min(dtype));
}

}  // namespace adalora::models
