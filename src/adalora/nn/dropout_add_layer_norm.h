// The residual block's tail of post-LN transformers (BERT's BertSelfOutput / BertOutput, DeBERTa's
// DebertaV2SelfOutput / DebertaV2Output), LayerNorm(dropout(y) + residual), as one autograd node:
//
//   z = keep·y/(1−p) + residual        x̂ = (z − mean(z))·rstd        out = x̂·γ + β     (per row of C)
//   backward: dz = rstd·(g·γ − mean(g·γ) − x̂·mean(g·γ·x̂)),  d residual = dz,  dy = keep·dz/(1−p)
//
// Why: eager, this is four passes over [N, C] forward (dropout, add, LayerNorm's statistics and its
// output) with two [N, C] temporaries, and three backward; here one pass per row while the row is
// in cache, forward and backward, rows spread over LibTorch's threads. The keep mask is the one
// nn/dropout.h's apply_dropout would draw at this point of the generator stream, so the result
// equals the eager composition up to float rounding (tests/unit/nn/dropout_add_layer_norm_test.cpp,
// float64). Other devices and dtypes run the eager composition.
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

/// LayerNorm over the last dimension (weight, bias: [C]) of dropout(y, p, training) + residual;
/// y, residual: [..., C]. Gradients flow to y, residual, weight and bias.
torch::Tensor dropout_add_layer_norm(const torch::Tensor& y, const torch::Tensor& residual, const torch::Tensor& weight,
                                     const torch::Tensor& bias, double eps, double dropout_p, bool training);

}  // namespace adalora::nn
