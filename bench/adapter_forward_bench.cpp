// What does one adapted linear layer cost, forward + backward, against the frozen layer alone? The
// three linear shapes of a bert-base / deberta-v3-base layer at N = batch·seq tokens (default
// 8·128 = 1024), init_r 12: the frozen nn::Linear with backward for dX only, the same with a LoRA
// adapter, and with an AdaLoRA SvdAdapter. Isolates the per-layer adapter overhead that the
// train-step benchmark sees twelve times per layer (six matrices, forward + backward).
// Interleaved rounds in one process; prints one JSON line per (shape, configuration).
//   adapter_forward_bench [--tokens 1024] [--repeats 30] [--threads N] [--float64]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "adalora/core/threads.h"
#include "adalora/nn/linear.h"
#include "adalora/peft/adalora/svd_adapter.h"
#include "adalora/peft/lora.h"

namespace {

using namespace adalora;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Layer {
  const char* name;
  nn::Linear linear{nullptr};
  std::vector<torch::Tensor> params;  // trainable adapter tensors
  std::vector<double> ms;
};

// forward, a scalar loss that touches every output, backward (dX and the adapter gradients).
double step(Layer& l, const torch::Tensor& x, const torch::Tensor& dy) {
  const auto t0 = Clock::now();
  auto y = l.linear(x);
  y.backward(dy);
  for (auto& p : l.params) p.mutable_grad() = torch::Tensor();
  x.mutable_grad() = torch::Tensor();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t tokens = 1024;
  int repeats = 30, threads = 0;
  bool f64 = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tokens" && i + 1 < argc) tokens = std::stoll(argv[++i]);
    else if (a == "--repeats" && i + 1 < argc) repeats = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (a == "--float64") f64 = true;
    else {
      std::cerr << "usage: adapter_forward_bench [--tokens 1024] [--repeats 30] [--threads N] [--float64]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const int used = configure_threads(threads);
  const auto dtype = f64 ? torch::kFloat64 : torch::kFloat32;
  const int64_t r = 12;
  for (auto [in, out] : {std::pair<int64_t, int64_t>{768, 768}, {768, 3072}, {3072, 768}}) {
    torch::manual_seed(0);
    std::vector<Layer> layers(3);
    layers[0].name = "frozen";
    layers[1].name = "lora";
    layers[2].name = "adalora";
    for (auto& l : layers) {
      l.linear = nn::Linear(in, out);
      l.linear->to(dtype);
      for (auto& p : l.linear->parameters()) p.set_requires_grad(false);
    }
    {
      peft::LoraConfig c;
      c.r = r;
      c.targets.names = {"x"};
      auto a = std::make_shared<peft::LoraAdapter>(in, out, c, dtype);
      layers[1].linear->attach(a);
      layers[1].params = {a->lora_A->weight, a->lora_B->weight};
    }
    {
      peft::SvdAdapterOptions o;
      o.in_features = in;
      o.out_features = out;
      o.r = r;
      o.dtype = dtype;
      auto a = std::make_shared<peft::SvdAdapter>(o);
      torch::NoGradGuard ng;
      a->lora_E.normal_();
      layers[2].linear->attach(a);
      layers[2].params = {a->lora_A, a->lora_B, a->lora_E};
    }
    // x needs no gradient in a real first layer, but every deeper layer's input does; keep it.
    auto x = torch::randn({tokens, in}, dtype).requires_grad_(true);
    auto dy = torch::randn({tokens, out}, dtype);
    for (int w = 0; w < 3; ++w) {
      for (auto& l : layers) step(l, x, dy);
    }
    for (int i = 0; i < repeats; ++i) {
      for (auto& l : layers) l.ms.push_back(step(l, x, dy));
    }
    const double base = median(layers[0].ms);
    for (auto& l : layers) {
      const double m = median(l.ms);
      std::cout << "{\"bench\":\"adapter_forward\",\"shape\":\"" << tokens << "x" << in << "->" << out
                << "\",\"config\":\"" << l.name << "\",\"dtype\":\"" << (f64 ? "float64" : "float32")
                << "\",\"r\":" << r << ",\"threads\":" << used << ",\"repeats\":" << repeats
                << ",\"fwd_bwd_ms_median\":" << m << ",\"over_frozen\":" << m / base << "}" << std::endl;
    }
  }
  return 0;
}
