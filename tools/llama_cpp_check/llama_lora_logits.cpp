// llama.cpp's logits for token ids: loads a base GGUF and, optionally, a GGUF LoRA adapter (scale 1)
// through libllama's public API and prints, for each input line of comma-separated token ids, one
// JSON line {"logits": [[n_vocab floats] per position]}. Built and run by
// scripts/check_gguf_llamacpp.sh against llama.cpp itself; not part of the adalora build.
//
//   llama_lora_logits BASE.gguf [ADAPTER.gguf] < ids.txt
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "llama.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s BASE.gguf [ADAPTER.gguf] < ids.txt\n", argv[0]);
    return 2;
  }
  ggml_backend_load_all();  // CPU backend of a GGML_BACKEND_DL build (no-op when linked statically)
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  llama_model* model = llama_model_load_from_file(argv[1], mp);
  if (model == nullptr) return std::fprintf(stderr, "cannot load %s\n", argv[1]), 1;
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = 64;
  cp.n_batch = 64;
  cp.n_ubatch = 64;
  cp.n_threads = cp.n_threads_batch = 1;
  cp.type_k = cp.type_v = GGML_TYPE_F32;  // the default F16 KV cache alone differs from float32 by ~1e-3
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == nullptr) return std::fprintf(stderr, "cannot create a context\n"), 1;
  if (argc == 3) {
    llama_adapter_lora* adapter = llama_adapter_lora_init(model, argv[2]);
    if (adapter == nullptr) return std::fprintf(stderr, "cannot load the adapter %s\n", argv[2]), 1;
    float scale = 1.0f;
    if (llama_set_adapters_lora(ctx, &adapter, 1, &scale) != 0) return std::fprintf(stderr, "set adapter failed\n"), 1;
  }
  const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<llama_token> ids;
    std::stringstream in(line);
    for (std::string tok; std::getline(in, tok, ',');) {
      if (!tok.empty()) ids.push_back(static_cast<llama_token>(std::stol(tok)));
    }
    if (ids.empty()) continue;
    llama_memory_clear(llama_get_memory(ctx), true);
    llama_batch batch = llama_batch_init(static_cast<int32_t>(ids.size()), 0, 1);
    for (size_t i = 0; i < ids.size(); ++i) {
      batch.token[i] = ids[i];
      batch.pos[i] = static_cast<llama_pos>(i);
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = 0;
      batch.logits[i] = 1;
    }
    batch.n_tokens = static_cast<int32_t>(ids.size());
    if (llama_decode(ctx, batch) != 0) return std::fprintf(stderr, "llama_decode failed\n"), 1;
    std::printf("{\"logits\": [");
    for (size_t i = 0; i < ids.size(); ++i) {
      const float* logits = llama_get_logits_ith(ctx, static_cast<int32_t>(i));
      std::printf(i ? ", [" : "[");
      for (int v = 0; v < n_vocab; ++v) std::printf(v ? ", %.9g" : "%.9g", logits[v]);
      std::printf("]");
    }
    std::printf("]}\n");
    llama_batch_free(batch);
  }
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
