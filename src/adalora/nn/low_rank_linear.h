// A frozen-or-not linear layer plus a low-rank update, as ONE autograd node:
//
//   y = x·Wᵀ + b + scale · (xa·Aᵀ)·Bᵀ        x, xa: [..., in]  W: [out, in]  A: [r, in]  B: [out, r]
//
// LoRA (A, B) and AdaLoRA (A∘E, P) are both this. Left to autograd, the update is five nodes whose
// backward allocates a second [N, in] input gradient and adds it to the base path's; here the
// adapter's part is accumulated into the base GEMM's output in place (dx = g·W, then dx += dt·A),
// and nothing of size [N, out] or [N, in] is made beyond y and dx. The products are those of the
// adapters' fused forward (base addmm, then addmm with alpha = scale), so outputs are bit-identical
// to it and gradients agree to rounding (tests/unit/nn/low_rank_linear_test.cpp).
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

/// The low-rank part of a layer's update; tensors in the layer weight's dtype and device.
struct LowRankUpdate {
  torch::Tensor A;      ///< [r, in], r ≥ 1
  torch::Tensor B;      ///< [out, r]
  double scale = 1.0;
  /// The adapter's input when it differs from the layer's (e.g. dropout(x)); undefined: x itself.
  torch::Tensor input;
};

/// y = x·Wᵀ + b + scale·(xa·Aᵀ)·Bᵀ with xa = update.input if defined, else x. `bias` may be
/// undefined. Gradients flow to every input that requires them (x, W, b, A, B, xa).
torch::Tensor low_rank_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              const LowRankUpdate& update);

}  // namespace adalora::nn
