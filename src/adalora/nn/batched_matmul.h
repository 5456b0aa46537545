// torch::bmm with the batch spread over threads: LibTorch 1.13's CPU bmm multiplies the batch's
// matrices one after another, each on all threads, which for attention-sized products (128×64×128,
// 128×64×512) reaches ~60 GFLOP/s here; one single-threaded GEMM per matrix and thread reaches
// about twice that. Same products (per-matrix GEMMs), gradients by the same rule as bmm's.
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

/// a: [N, M, K], b: [N, K, P] → [N, M, P], as torch::bmm (float32/float64 on the CPU; other
/// dtypes and devices call torch::bmm). Each matrix may be a strided view (e.g. a transpose).
torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace adalora::nn
