// torch::bmm with the batch spread over threads: LibTorch 1.13's CPU bmm multiplies the batch's
// matrices one after another, each on all threads, which for attention-sized products (128×64×128,
// 128×64×512) reaches ~60 GFLOP/s here; one single-threaded GEMM per matrix and thread reaches
// about twice that. Same products (per-matrix GEMMs), gradients by the same rule as bmm's.
#pragma once

#include <ATen/Parallel.h>
#include <torch/torch.h>

namespace adalora::nn {

/// Runs f(i) for i in [0, n) on LibTorch's intra-op pool, whole matrix products per call. Inside
/// the parallel region LibTorch ops run single-threaded and OpenBLAS's OpenMP build does not nest,
/// so each product is one single-threaded GEMM; grad mode is off (it is thread-local, and the
/// pool's threads do not inherit the caller's).
template <typename F>
void for_each_matrix(int64_t n, const F& f) {
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    torch::NoGradGuard no_grad;
    for (int64_t i = begin; i < end; ++i) f(i);
  });
}

/// out = a·b written into `out`, which may be a view (a slice of a larger tensor).
inline void mm_into(torch::Tensor out, const torch::Tensor& a, const torch::Tensor& b) { torch::mm_out(out, a, b); }

/// a: [N, M, K], b: [N, K, P] → [N, M, P], as torch::bmm (float32/float64 on the CPU; other
/// dtypes and devices call torch::bmm). Each matrix may be a strided view (e.g. a transpose).
torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace adalora::nn
