// `adalora logits`: the next-token logits of a causal LM (and optionally an adapter) for token ids,
// for comparing with other runtimes (scripts/check_gguf_llamacpp.sh compares them with llama.cpp's).
// JSONL in ({"input_ids": [...]}, --input or stdin), one JSON line out per input:
// {"logits": [[V floats] per position]} — the model's forward pass in eval mode, in --dtype
// (float32 by default), printed as float32.
#include <iostream>

#include "adalora/core/compute_dtype.h"
#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "adalora/peft/adapter_loader.h"
#include "tools/adalora/command.h"
#include "tools/adalora/jsonl_requests.h"

namespace adalora::cli {
namespace {

struct LogitsFlags {
  std::string model, adapter, input;
  std::string dtype = "float32";
};

int run_logits(const LogitsFlags& f) {
  configure_threads();
  const torch::ScalarType dtype = parse_compute_dtype(f.dtype);
  models::ModelPtr model = models::load_pretrained(f.model, models::TaskHead::CausalLM, dtype);
  if (!f.adapter.empty()) peft::load_adapter(*model, f.adapter);
  model->eval();
  const int64_t vocab = model->config().get<int64_t>("vocab_size", 0);
  for_each_jsonl_request(f.input, [&](const io::JsonObject& fields, const std::string& where) {
    const auto ids = fields.get<std::vector<int64_t>>("input_ids");
    ADALORA_CHECK(!ids.empty(), where, ": input_ids: expected at least one token");
    for (int64_t id : ids) {
      ADALORA_CHECK(id >= 0 && id < vocab, where, ": input_ids: expected ids in [0, ", vocab, "), got ", id);
    }
    torch::NoGradGuard no_grad;
    models::ModelInputs inputs;
    inputs.input_ids = torch::tensor(ids, torch::kLong).view({1, -1});
    const auto logits = model->forward(inputs).logits[0].to(torch::kFloat32).contiguous();  // [T, V]
    io::Json out = io::Json::array();
    for (int64_t t = 0; t < logits.size(0); ++t) {
      const float* p = logits[t].data_ptr<float>();
      out.push_back(std::vector<float>(p, p + logits.size(1)));
    }
    std::cout << io::Json{{"logits", out}}.dump() << "\n" << std::flush;
  });
  return 0;
}

}  // namespace

Command logits_command() {
  return {"logits", "Print a causal LM's logits for token ids (JSONL in, JSONL out)", [](CLI::App& app) {
            auto f = std::make_shared<LogitsFlags>();
            app.add_option("--model", f->model, "Causal-LM model folder (config.json + weights)")->required();
            app.add_option("--adapter", f->adapter, "PEFT adapter folder to apply");
            app.add_option("--input", f->input, "JSONL {\"input_ids\": [...]} lines (default: stdin)");
            app.add_option("--dtype", f->dtype, "Compute dtype of the model: float32 (default) or bfloat16");
            return [f]() { return run_logits(*f); };
          }};
}

}  // namespace adalora::cli
