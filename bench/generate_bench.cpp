// How fast does greedy generation run with the KV cache and without it (a full forward per step),
// against the prompt (prefix) length, at batch 1 and 8? A randomly initialised GPT-2 (default a
// 4-layer, 256-wide, 4-head, vocab-8192 model; --small for GPT-2-small's 12 x 768 x 12, vocab
// 50257). First validates that both paths produce the same tokens, then times; one JSON line per
// (batch, prefix, path) with new tokens per second (batch x new tokens / wall time).
//   generate_bench [--small] [--new-tokens 16] [--prefixes 16,64,256] [--threads N]
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "adalora/core/threads.h"
#include "adalora/generation/generate.h"
#include "adalora/models/model.h"

namespace {

using namespace adalora;

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool small = false;
  int64_t new_tokens = 16;
  std::vector<int64_t> prefixes = {16, 64, 256};
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--small") small = true;
    else if (a == "--new-tokens" && i + 1 < argc) new_tokens = std::stoll(argv[++i]);
    else if (a == "--prefixes" && i + 1 < argc) prefixes = parse_list(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: generate_bench [--small] [--new-tokens N] [--prefixes a,b,c] [--threads N]\n";
      return 2;
    }
  }
  const int used_threads = configure_threads(threads);
  io::Json config = {{"model_type", "gpt2"}, {"vocab_size", small ? 50257 : 8192},
                     {"n_positions", 1024},  {"n_embd", small ? 768 : 256},
                     {"n_layer", small ? 12 : 4}, {"n_head", small ? 12 : 4}};
  torch::manual_seed(0);
  models::ModelPtr model =
      models::build_model(models::HfConfig(config, "bench gpt2 config"), models::TaskHead::CausalLM);
  model->eval();

  generation::GenerationConfig gen;  // greedy, no eos: exactly new_tokens per row
  gen.max_new_tokens = new_tokens;
  for (int64_t batch : {1, 8}) {
    for (int64_t prefix : prefixes) {
      torch::Tensor prompt = torch::randint(0, config["vocab_size"].get<int64_t>(), {batch, prefix});
      torch::Tensor reference;
      for (bool use_cache : {false, true}) {
        gen.use_cache = use_cache;
        const auto start = std::chrono::steady_clock::now();
        torch::Tensor seq = generation::generate(*model, prompt, {}, gen).sequences;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!use_cache) {
          reference = seq;
        } else if (!torch::equal(seq, reference)) {
          std::cerr << "cache and full-forward paths differ at batch " << batch << ", prefix "
                    << prefix << "\n";
          return 1;
        }
        io::Json line = {{"bench", "generate"},      {"model", small ? "gpt2-small" : "gpt2-4x256"},
                         {"batch", batch},           {"prefix", prefix},
                         {"new_tokens", new_tokens}, {"cache", use_cache},
                         {"seconds", seconds},
                         {"tokens_per_s", static_cast<double>(batch * new_tokens) / seconds},
                         {"threads", used_threads}};
        std::cout << line.dump() << std::endl;
      }
    }
  }
  return 0;
}
