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
#include "bench/bench_timing.h"

namespace {

using namespace adalora;

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
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<torch::Tensor> ys;
  if (shared) {
    ys = nn::shared_input_linears(x, g.raw());
  } else {
    for (auto& l : g.layers) ys.push_back(l(x));
  }
  torch::autograd::backward(ys, dys);
  for (auto& p : g.params) p.mutable_grad() = torch::Tensor();
  x.mutable_grad() = torch::Tensor();
  return bench::ms_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  bench::TokenBenchArgs args;
  if (const auto exit_code = bench::parse_token_bench_args(argc, argv, "shared_input_bench", args)) {
    return *exit_code;
  }
  const int64_t tokens = args.tokens, hidden = args.hidden;
  const int repeats = args.repeats, threads = args.threads;
  const int used = configure_threads(threads);
  const int64_t r = 12;
  auto x = torch::randn({tokens, hidden}).requires_grad_(true);
  std::vector<torch::Tensor> dys = {torch::randn({tokens, hidden}), torch::randn({tokens, hidden}),
                                    torch::randn({tokens, hidden})};
  for (const std::string method : {"adalora", "lora"}) {
    auto g = make_group(method, hidden, r);
    // path 0: separate (the reference path), 1: shared
    const auto t = bench::time_interleaved(/*warmup=*/3, repeats,
                                           [&](int s) { return step(g, s == 1, x, dys); });
    for (int s = 0; s < 2; ++s) {
      const double m = bench::median(t.ms[s]);
      const double spread = bench::spread_over_median(t.ms[s]);
      std::cout << "{\"bench\":\"shared_input\",\"method\":\"" << method << "\",\"path\":\""
                << (s ? "shared" : "separate") << "\",\"tokens\":" << tokens << ",\"hidden\":" << hidden
                << ",\"r\":" << r << ",\"threads\":" << used << ",\"repeats\":" << repeats
                << ",\"fwd_bwd_ms_median\":" << m << ",\"spread_pct\":" << 100 * spread << "}" << std::endl;
    }
    std::cout << "{\"bench\":\"shared_input_summary\",\"method\":\"" << method
              << "\",\"shared_over_separate\":" << bench::median(t.ms[1]) / bench::median(t.ms[0])
              << ",\"paired_median\":" << bench::median(t.paired) << "}" << std::endl;
  }
  return 0;
}
