// The core of multi-head attention, softmax(q·kᵀ / divisor + mask) → dropout → ·v, as one autograd
// node that runs its matrix products per (batch, head) in parallel.
//
// Why: LibTorch 1.13's CPU bmm runs the B·H small products (128×64×128 at bert-base) one after
// another, each on all threads, at ~60 GFLOP/s here — 11 % of a bert-base train step — and eager
// attention copies q and k into [B, H, T, D] layout and the context back. Here q, k, v are read in
// place as [B, T, H, D] views of the projections (a head's [T, D] slice is a strided BLAS matrix),
// each thread multiplies whole heads single-threaded, and the context is written straight into
// [B, T, H·D]. Dropout is nn/dropout.h's, with the same mask apply_dropout would draw.
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

/// q: [B, T, H, D], k and v: [B, S, H, D] (last dimension contiguous), additive_mask broadcastable
/// to [B, H, T, S] or undefined (it gets no gradient). Scores are divided by `divisor` (HF:
/// sqrt(head_size)). Returns the context [B, T, H·D]. Gradients flow to q, k and v.
/// `softmax_in_float32`: for bfloat16/float16 inputs the softmax runs in float32 and its result is
/// cast back (LLaMA's `softmax(..., dtype=torch.float32).to(query.dtype)`); BART and GPT-2 take
/// the softmax in the input dtype (false). No effect on float32/float64 inputs.
torch::Tensor multi_head_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   const torch::Tensor& additive_mask, double divisor, double dropout_p,
                                   bool training, bool softmax_in_float32 = false);

}  // namespace adalora::nn
