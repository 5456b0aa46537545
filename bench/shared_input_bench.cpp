// What does computing q, k and v's adapter products in one pass over their shared input
// (nn/shared_input_linear.h) save against the layer-by-layer path it replaces? Three 768 → 768
// layers with AdaLoRA (or LoRA) adapters of rank 12 on every one, N = batch·seq tokens (default
// 8·128), forward + backward (dX and the adapter gradients; frozen weights), interleaved rounds in
// one process; prints one JSON line per (method, path) with median and spread, and the ratio.
//   shared_input_bench [--tokens 1024] [--hidden 768] [--repeats 30] [--threads N]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "adalora/core/threads.h"
#include "adalora/nn/shared_input_linear.h"
#include "adalora/peft/adalora/svd_adapter.h"
#include "adalora/peft/lora.h"

namespace {

using namespace adalora;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Group {
  std::string method;
  std::vector<nn::Linear> layers;
  std::vector<torch::Tensor> params;  // trainable adapter tensors
  std::vector<nn::LinearImpl*> raw() {
    std::vector<nn::LinearImpl*> r;
    for (auto& l : layers) r.push_back(l.get());
    return r;
  }
};

Group make_group(const std::string& method, int64_t C, int64_t r) {
  torch::manual_seed(0);
  Group g{method, {}, {}};
  for (int i = 0; i < 3; ++i) {
    nn::Linear l(C, C);
    for (auto& p : l->parameters()) p.set_requires_grad(false);
    if (method == "lora") {
      peft::LoraConfig c;
      c.r = r;
      c.targets.names = {"x"};
      auto a = std::make_shared<peft::LoraAdapter>(C, C, c, torch::kFloat32);
      l->attach(a);
      g.params.insert(g.params.end(), {a->lora_A->weight, a->lora_B->weight});
    } else {
      peft::SvdAdapterOptions o;
      o.in_features = o.out_features = C;
      o.r = r;
      auto a = std::make_shared<peft::SvdAdapter>(o);
      torch::NoGradGuard ng;
      a->lora_E.normal_();
      l->attach(a);
      g.params.insert(g.params.end(), {a->lora_A, a->lora_B, a->lora_E});
    }
    l->train();
    g.layers.push_back(l);
  }
  return g;
}

// forward of the three layers, a loss touching every output, backward.
double step(Group& g, bool shared, const torch::Tensor& x, const std::vector<torch::Tensor>& dys) {
  const auto t0 = Clock::now();
  std::vector<torch::Tensor> ys;
  if (shared) {
    ys = nn::shared_input_linears(x, g.raw());
  } else {
    for (auto& l : g.layers) ys.push_back(l(x));
  }
  torch::autograd::backward(ys, dys);
  for (auto& p : g.params) p.mutable_grad() = torch::Tensor();
  x.mutable_grad() = torch::Tensor();
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
      std::cerr << "usage: shared_input_bench [--tokens 1024] [--hidden 768] [--repeats 30] [--threads N]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const int used = configure_threads(threads);
  const int64_t r = 12;
  auto x = torch::randn({tokens, hidden}).requires_grad_(true);
  std::vector<torch::Tensor> dys = {torch::randn({tokens, hidden}), torch::randn({tokens, hidden}),
                                    torch::randn({tokens, hidden})};
  for (const std::string method : {"adalora", "lora"}) {
    auto g = make_group(method, hidden, r);
    std::vector<double> ms[2];  // 0: separate (the reference path), 1: shared
    for (int w = 0; w < 3; ++w) {
      for (int s = 0; s < 2; ++s) step(g, s == 1, x, dys);
    }
    std::vector<double> paired;
    for (int i = 0; i < repeats; ++i) {
      for (int s = 0; s < 2; ++s) ms[s].push_back(step(g, s == 1, x, dys));
      paired.push_back(ms[1].back() / ms[0].back());
    }
    for (int s = 0; s < 2; ++s) {
      const double m = median(ms[s]);
      const double spread = (*std::max_element(ms[s].begin(), ms[s].end()) - *std::min_element(ms[s].begin(), ms[s].end())) / m;
      std::cout << "{\"bench\":\"shared_input\",\"method\":\"" << method << "\",\"path\":\""
                << (s ? "shared" : "separate") << "\",\"tokens\":" << tokens << ",\"hidden\":" << hidden
                << ",\"r\":" << r << ",\"threads\":" << used << ",\"repeats\":" << repeats
                << ",\"fwd_bwd_ms_median\":" << m << ",\"spread_pct\":" << 100 * spread << "}" << std::endl;
    }
    std::cout << "{\"bench\":\"shared_input_summary\",\"method\":\"" << method
              << "\",\"shared_over_separate\":" << median(ms[1]) / median(ms[0])
              << ",\"paired_median\":" << median(paired) << "}" << std::endl;
  }
  return 0;
}
