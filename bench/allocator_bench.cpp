// How long does AdaLoRA's own bookkeeping take per optimizer step? One update_and_allocate (importance
// EMAs over every A, B, E entry + triplet scores + global k-th value + masking) for the paper's
// DeBERTaV3-base setup (72 matrices, init_r 12) and a 7B-shaped model (32 layers × 7 matrices of a
// LLaMA-7B, init_r 12), on random tensors (no model). Prints one JSON line per configuration.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "adalora/core/threads.h"
#include "adalora/peft/adalora/rank_allocator.h"

namespace {

using adalora::peft::AdaLoraConfig;
using adalora::peft::AdaptedMatrix;
using adalora::peft::RankAllocator;
using adalora::peft::SvdAdapter;
using adalora::peft::SvdAdapterOptions;

struct Shape {
  int64_t in, out;
};

void run(const char* name, const std::vector<Shape>& shapes, int repeats) {
  std::vector<AdaptedMatrix> matrices;
  for (size_t i = 0; i < shapes.size(); ++i) {
    SvdAdapterOptions o;
    o.in_features = shapes[i].in;
    o.out_features = shapes[i].out;
    o.r = 12;
    auto a = std::make_shared<SvdAdapter>(o);
    for (auto* t : {&a->lora_A, &a->lora_B, &a->lora_E}) {
      torch::NoGradGuard ng;
      t->normal_();
      t->mutable_grad() = torch::randn_like(*t);
    }
    matrices.push_back({"m" + std::to_string(i), a});
  }
  AdaLoraConfig config;
  config.init_r = 12;
  config.target_r = 8;
  config.total_step = 1000000;
  config.targets.names = {"m"};
  RankAllocator allocator(matrices, config);
  int64_t adapter_params = 0;
  for (const auto& s : shapes) adapter_params += 12 * (s.in + s.out + 1);
  auto time_step = [&](int64_t step) {
    auto t0 = std::chrono::steady_clock::now();
    allocator.update_and_allocate(step);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int64_t s = 1; s <= 3; ++s) time_step(s);  // warm up (first call allocates the EMA state)
  std::vector<double> update_only, with_mask;
  // With tinit = 0 and deltaT = 1 every step ≥ 1 masks (the worst case); the importance update alone
  // is timed separately below.
  for (int i = 0; i < repeats; ++i) with_mask.push_back(time_step(10 + i));
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    allocator.update_importance();
    update_only.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto spread = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.back() - v.front();
  };
  std::cout << "{\"bench\":\"allocator\",\"config\":\"" << name << "\",\"matrices\":" << shapes.size()
            << ",\"init_r\":12,\"adapter_params\":" << adapter_params << ",\"threads\":" << at::get_num_threads()
            << ",\"repeats\":" << repeats << ",\"update_and_allocate_ms_median\":" << median(with_mask)
            << ",\"update_and_allocate_ms_spread\":" << spread(with_mask)
            << ",\"importance_update_ms_median\":" << median(update_only) << "}" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  adalora::configure_threads();
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  std::vector<Shape> deberta;
  for (int l = 0; l < 12; ++l) {
    for (int i = 0; i < 4; ++i) deberta.push_back({768, 768});
    deberta.push_back({768, 3072});
    deberta.push_back({3072, 768});
  }
  run("deberta-v3-base (paper: 6 matrices x 12 layers)", deberta, quick ? 5 : 30);
  std::vector<Shape> llama;
  for (int l = 0; l < 32; ++l) {
    for (int i = 0; i < 4; ++i) llama.push_back({4096, 4096});
    llama.push_back({4096, 11008});
    llama.push_back({4096, 11008});
    llama.push_back({11008, 4096});
  }
  run("llama-7b shaped (7 matrices x 32 layers)", llama, quick ? 3 : 10);
}
