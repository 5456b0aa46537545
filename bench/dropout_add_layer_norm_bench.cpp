// What does LayerNorm(dropout(y) + residual) as one node (nn/dropout_add_layer_norm.h) save against
// the eager composition it replaces (nn/dropout.h's dropout, the add, torch::layer_norm)? bert-base's
// residual tail: [N, 768] at N = batch·seq tokens (default 8·128), dropout 0.1, forward + backward
// (y and residual need gradients; γ, β frozen as under AdaLoRA), interleaved rounds in one process;
// one JSON line per path (median, spread) and the ratio.
//   dropout_add_layer_norm_bench [--tokens 1024] [--hidden 768] [--repeats 30] [--threads N]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "adalora/core/threads.h"
#include "adalora/nn/dropout.h"
#include "adalora/nn/dropout_add_layer_norm.h"
#include "bench/bench_timing.h"

namespace {

double step(bool fused, const torch::Tensor& y, const torch::Tensor& r, const torch::Tensor& w,
            const torch::Tensor& b, const torch::Tensor& g) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto out = fused ? adalora::nn::dropout_add_layer_norm(y, r, w, b, 1e-12, 0.1, true)
                         : torch::layer_norm(adalora::nn::apply_dropout(y, 0.1, true) + r, {y.size(-1)}, w, b, 1e-12);
  out.backward(g);
  y.mutable_grad() = torch::Tensor();
  r.mutable_grad() = torch::Tensor();
  return adalora::bench::ms_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  adalora::bench::TokenBenchArgs args;
  if (const auto exit_code =
          adalora::bench::parse_token_bench_args(argc, argv, "dropout_add_layer_norm_bench", args)) {
    return *exit_code;
  }
  const int64_t tokens = args.tokens, hidden = args.hidden;
  const int repeats = args.repeats, threads = args.threads;
  const int used = adalora::configure_threads(threads);
  torch::manual_seed(0);
  const auto y = torch::randn({tokens, hidden}).requires_grad_(true);
  const auto r = torch::randn({tokens, hidden}).requires_grad_(true);
  const auto w = torch::ones({hidden}), b = torch::zeros({hidden});
  const auto g = torch::randn({tokens, hidden});
  // path 0: eager (the reference path), 1: fused
  const auto t = adalora::bench::time_interleaved(
      /*warmup=*/3, repeats, [&](int f) { return step(f == 1, y, r, w, b, g); });
  for (int f = 0; f < 2; ++f) {
    const double m = adalora::bench::median(t.ms[f]);
    const double spread = adalora::bench::spread_over_median(t.ms[f]);
    std::cout << "{\"bench\":\"dropout_add_layer_norm\",\"path\":\"" << (f ? "fused" : "eager") << "\",\"tokens\":" << tokens
              << ",\"hidden\":" << hidden << ",\"threads\":" << used << ",\"repeats\":" << repeats
              << ",\"fwd_bwd_ms_median\":" << m << ",\"spread_pct\":" << 100 * spread << "}" << std::endl;
  }
  std::cout << "{\"bench\":\"dropout_add_layer_norm_summary\",\"fused_over_eager\":"
            << adalora::bench::median(t.ms[1]) / adalora::bench::median(t.ms[0])
            << ",\"paired_median\":" << adalora::bench::median(t.paired) << "}" << std::endl;
  return 0;
}
