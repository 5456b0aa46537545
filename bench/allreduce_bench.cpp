// What does averaging an adapter's gradients cost per step with Gloo over loopback, and is one
// flattened buffer faster than one all-reduce per tensor? Two ranks (threads of this process, each
// with its own TCPStore client and process group), bert-base's AdaLoRA gradients: query and value
// of 12 layers at init_r 12 (A [12, 768], B [768, 12], E [12, 1]) plus pooler and a 2-class
// classifier — 1,034,786 float32 values, 4.1 MB. Validates the average first, then times.
//   allreduce_bench [iterations=30]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <utility>

#include "adalora/dist/local_launcher.h"
#include "adalora/dist/process_group.h"

namespace {

using adalora::dist::ProcessGroup;

std::vector<torch::Tensor> bert_base_adapter_grads(double value) {
  std::vector<torch::Tensor> g;
  for (int layer = 0; layer < 12; ++layer) {
    for (int m = 0; m < 2; ++m) {  // query, value
      g.push_back(torch::full({12, 768}, value));
      g.push_back(torch::full({768, 12}, value));
      g.push_back(torch::full({12, 1}, value));
    }
  }
  g.push_back(torch::full({768, 768}, value));  // pooler
  g.push_back(torch::full({768}, value));
  g.push_back(torch::full({2, 768}, value));  // classifier
  g.push_back(torch::full({2}, value));
  return g;
}

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
  torch::set_num_threads(1);
  const int port = adalora::dist::free_port();
  std::vector<double> flat_ms, per_tensor_ms;
  int64_t values = 0;
  bool valid = true;
  auto rank_main = [&](int64_t rank) {
    adalora::dist::Environment env;
    env.rank = rank, env.world_size = 2, env.master_port = port;
    auto group = ProcessGroup::connect(env, {std::chrono::seconds(60)});
    auto grads = bert_base_adapter_grads(static_cast<double>(rank));
    group->average(grads);
    for (const auto& t : grads) valid = valid && torch::allclose(t, torch::full_like(t, 0.5));
    for (int i = 0; i < iterations; ++i) {
      group->barrier();
      auto t0 = std::chrono::steady_clock::now();
      group->average(grads);
      auto t1 = std::chrono::steady_clock::now();
      group->barrier();
      auto t2 = std::chrono::steady_clock::now();
      for (const auto& t : grads) group->average({t});
      auto t3 = std::chrono::steady_clock::now();
      if (rank == 0) {
        flat_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        per_tensor_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
      }
    }
    if (rank == 0) for (const auto& t : grads) values += t.numel();
  };
  std::thread other(rank_main, 1);
  rank_main(0);
  other.join();
  if (!valid) {
    std::cerr << "allreduce_bench: the average is wrong\n";
    return 1;
  }
  for (const auto& [mode, ms] : {std::pair<const char*, std::vector<double>*>{"flat", &flat_ms},
                                 {"per_tensor", &per_tensor_ms}}) {
    std::sort(ms->begin(), ms->end());
    std::cout << "{\"bench\": \"allreduce\", \"backend\": \"gloo\", \"ranks\": 2, \"mode\": \"" << mode
              << "\", \"messages\": " << (std::string(mode) == "flat" ? 1 : 12 * 2 * 3 + 4)
              << ", \"float32_values\": " << values << ", \"median_ms\": " << median_ms(*ms)
              << ", \"min_ms\": " << ms->front() << ", \"max_ms\": " << ms->back()
              << ", \"iterations\": " << iterations << "}\n";
  }
  return 0;
}
