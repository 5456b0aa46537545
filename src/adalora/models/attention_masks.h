// Additive attention masks as transformers v4.40.2 modeling_attn_mask_utils.py builds them for
// eager attention: 0 where a query may attend, torch.finfo(dtype).min where it may not (never
// -inf, and never min added twice: a position blocked for two reasons holds min once).
//
// Legend: B batch, T new (query) positions, P cached positions, S key positions.
#pragma once

#include <torch/torch.h>

namespace adalora::models {

/// torch.finfo(dtype).min for the floating types (float32 for anything else).
double finfo_min(torch::ScalarType dtype);

/// _prepare_4d_attention_mask: mask [B, S] (1 = attend, 0 = padding) → [B, 1, 1, S] in `dtype`.
torch::Tensor padding_mask(const torch::Tensor& mask, torch::ScalarType dtype);

/// _prepare_4d_causal_attention_mask: query i (absolute position P + i) sees keys j ≤ P + i, and
/// only the keys where `mask` [B, P + T] is 1 (undefined → no padding). Returns [B or 1, 1, T, P + T].
torch::Tensor causal_mask(int64_t T, int64_t P, const torch::Tensor& mask, torch::ScalarType dtype,
                          torch::Device device);

}  // namespace adalora::models
