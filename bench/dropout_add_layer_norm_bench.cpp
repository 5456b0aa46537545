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

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double step(bool fused, const torch::Tensor& y, const torch::Tensor& r, const torch::Tensor& w,
            const torch::Tensor& b, const torch::Tensor& g) {
  const auto t0 = Clock::now();
  const auto out = fused ? adalora::nn::dropout_add_layer_norm(y, r, w, b, 1e-12, 0.1, true)
                         : torch::layer_norm(adalora::nn::apply_dropout(y, 0.1, true) + r, {y.size(-1)}, w, b, 1e-12);
  out.backward(g);
  y.mutable_grad() = torch::Tensor();
  r.mutable_grad() = torch::Tensor();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t tokens = 1024, hidden = 768;
  int repeats = 30, threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tokens" && i + 1 < argc) tokens = std::stoll(argv[++i]);
    else if (a == "--hidden" && i + 1 < argc) hidden = std::stoll(argv[++i]);
    else if (a == "--repeats" && i + 1 < argc) repeats = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: dropout_add_layer_norm_bench [--tokens 1024] [--hidden 768] [--repeats 30] [--threads N]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const int used = adalora::configure_threads(threads);
  torch::manual_seed(0);
  const auto y = torch::randn({tokens, hidden}).requires_grad_(true);
  const auto r = torch::randn({tokens, hidden}).requires_grad_(true);
  const auto w = torch::ones({hidden}), b = torch::zeros({hidden});
  const auto g = torch::randn({tokens, hidden});
  std::vector<double> ms[2], paired;  // 0: eager (the reference path), 1: fused
  for (int i = 0; i < 3; ++i) {
    for (int f = 0; f < 2; ++f) step(f == 1, y, r, w, b, g);
  }
  for (int i = 0; i < repeats; ++i) {
    for (int f = 0; f < 2; ++f) ms[f].push_back(step(f == 1, y, r, w, b, g));
    paired.push_back(ms[1].back() / ms[0].back());
  }
  for (int f = 0; f < 2; ++f) {
    const double m = median(ms[f]);
    const double spread = (*std::max_element(ms[f].begin(), ms[f].end()) - *std::min_element(ms[f].begin(), ms[f].end())) / m;
    std::cout << "{\"bench\":\"dropout_add_layer_norm\",\"path\":\"" << (f ? "fused" : "eager") << "\",\"tokens\":" << tokens
              << ",\"hidden\":" << hidden << ",\"threads\":" << used << ",\"repeats\":" << repeats
              << ",\"fwd_bwd_ms_median\":" << m << ",\"spread_pct\":" << 100 * spread << "}" << std::endl;
  }
  std::cout << "{\"bench\":\"dropout_add_layer_norm_summary\",\"fused_over_eager\":" << median(ms[1]) / median(ms[0])
            << ",\"paired_median\":" << median(paired) << "}" << std::endl;
  return 0;
}
