// Several adaptable linear layers that read the same input (attention's query, key and value), run
// as one autograd node that streams the input once for all their low-rank updates:
//
//   t = x·[A_1; …; A_k]ᵀ                      x: [N, in]  A_j: [r_j, in]  t: [N, Σ r_j]
//   y_j = x·W_jᵀ + b_j + s_j · t_j·B_jᵀ         W_j: [out_j, in]  B_j: [out_j, r_j]
//   backward: dt_j = s_j · g_j·B_j,  dA = dtᵀ·x (one product),  dx = Σ_j g_j·W_j + dt·A (one product)
//
// Why: each rank-r product that reads or writes an [N, in] activation is memory-bound — OpenBLAS
// runs these skinny shapes single-threaded at 6–9 GB/s (docs/performance.md) — and three adapters
// on q, k, v did three of each (x·Aᵀ, dtᵀ·x, dt·A); here each is one product of rank Σ r_j.
// Layers without an (enabled, unmerged) adapter take part with their base product only. The
// reference is the layers' own forward (nn::Linear::forward → low_rank_linear), which this falls
// back to whenever a layer's adapter is not a plain low-rank update of x (adapter dropout in
// training, non-low-rank methods, Conv1D layout, dtype mismatch) or fewer than two layers are adapted.
// Tested against that path in float64 (tests/unit/nn/shared_input_linear_test.cpp).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "adalora/nn/linear.h"

namespace adalora::nn {

/// {layers[0]->forward(x), …, layers[k-1]->forward(x)} for x: [..., in] (every layer's
/// in_features); outputs [..., out_j]. Null layers are not allowed.
std::vector<torch::Tensor> shared_input_linears(const torch::Tensor& x, const std::vector<LinearImpl*>& layers);

}  // namespace adalora::nn
