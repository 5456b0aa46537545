// Does LibTorch 1.13's CPU matmul use bfloat16 instructions (avx512_bf16) here? The three linear
// GEMM shapes of a bert-base layer at N = batch·seq tokens, x·Wᵀ in float32 and in bfloat16,
// interleaved rounds in one process; prints one JSON line per (shape, dtype) with GFLOP/s (median
// and spread) and the bf16/f32 time ratio, plus whether this LibTorch was built with oneDNN
// (MKLDNN), which is where its bf16 GEMM would come from. bf16 only pays if the ratio is well
// below 1 (it halves the bytes moved and, with avx512_bf16, doubles the multiply rate).
//   bf16_gemm_bench [--tokens 1024] [--repeats 15] [--threads N]
#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "adalora/core/threads.h"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double time_mm(torch::Tensor& out, const torch::Tensor& x, const torch::Tensor& w) {
  const auto t0 = Clock::now();
  torch::mm_out(out, x, w.t());
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t tokens = 1024;
  int repeats = 15, threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tokens" && i + 1 < argc) tokens = std::stoll(argv[++i]);
    else if (a == "--repeats" && i + 1 < argc) repeats = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: bf16_gemm_bench [--tokens 1024] [--repeats 15] [--threads N]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const int used = adalora::configure_threads(threads);
  std::cout << "{\"bench\":\"bf16_gemm_build\",\"mkldnn\":" << (at::hasMKLDNN() ? "true" : "false")
            << ",\"threads\":" << used << "}" << std::endl;
  for (auto [k, m] : {std::pair<int64_t, int64_t>{768, 768}, {768, 3072}, {3072, 768}}) {
    torch::manual_seed(0);
    const auto x32 = torch::randn({tokens, k}), w32 = torch::randn({m, k});
    const auto x16 = x32.to(torch::kBFloat16), w16 = w32.to(torch::kBFloat16);
    auto o32 = torch::empty({tokens, m}), o16 = torch::empty({tokens, m}, torch::kBFloat16);
    // The bf16 product's error against float32 (inputs rounded to bf16, accumulation as the kernel does).
    time_mm(o16, x16, w16);
    time_mm(o32, x32, w32);
    const double rel_err = ((o16.to(torch::kFloat32) - o32).norm() / o32.norm()).item<double>();
    std::vector<double> ms32, ms16;
    for (int i = 0; i < repeats; ++i) {
      ms32.push_back(time_mm(o32, x32, w32));
      ms16.push_back(time_mm(o16, x16, w16));
    }
    const double flop = 2.0 * tokens * k * m;
    for (int d = 0; d < 2; ++d) {
      const auto& ms = d ? ms16 : ms32;
      const double med = median(ms);
      const double spread = (*std::max_element(ms.begin(), ms.end()) - *std::min_element(ms.begin(), ms.end())) / med;
      std::cout << "{\"bench\":\"bf16_gemm\",\"shape\":\"" << tokens << "x" << k << "x" << m << "\",\"dtype\":\""
                << (d ? "bfloat16" : "float32") << "\",\"repeats\":" << repeats << ",\"ms_median\":" << med
                << ",\"gflops_per_s\":" << flop / (med * 1e-3) / 1e9 << ",\"spread_pct\":" << 100 * spread << "}"
                << std::endl;
    }
    std::cout << "{\"bench\":\"bf16_gemm_summary\",\"shape\":\"" << tokens << "x" << k << "x" << m
              << "\",\"bf16_over_f32_time\":" << median(ms16) / median(ms32) << ",\"bf16_rel_error\":" << rel_err
              << "}" << std::endl;
  }
  return 0;
}
