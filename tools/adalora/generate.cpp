// `adalora generate`: generation with a causal-LM or seq2seq model folder (and optionally an adapter)
// over JSONL prompts — {"text": ...} (tokenized with the model folder's tokenizer) or
// {"input_ids": [...]} — read from --input or stdin; one JSON line out per input:
// {"text": generated text, "ids": generated ids, "score": sequences_score} (plus "returned" with
// every sequence when num_return_sequences > 1). Settings come from the folder's
// generation_config.json (else config.json); flags override them. Inputs are decoded one at a
// time (no padding). Bad input → Error naming file, line and field (exit code 2).
#include <filesystem>
#include <iostream>
#include <optional>

#include "adalora/core/compute_dtype.h"
#include "adalora/core/device.h"
#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/generation/generate.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/tokenizers/tokenizer.h"
#include "tools/adalora/command.h"
#include "tools/adalora/jsonl_requests.h"

namespace adalora::cli {
namespace {

struct GenerateFlags {
  std::string model, adapter, input;
  std::optional<int64_t> max_new_tokens, max_length, min_new_tokens, num_beams,
      num_return_sequences, top_k, no_repeat_ngram_size, seed;
  std::optional<double> temperature, top_p, repetition_penalty, length_penalty;
  std::optional<bool> do_sample;
  std::optional<std::string> early_stopping;
  bool no_cache = false;
  std::string device = "cpu";
  std::string dtype = "float32";
};

generation::GenerationConfig apply_flags(generation::GenerationConfig c, const GenerateFlags& f) {
  io::Json j = io::Json::object();
  auto put = [&](const char* key, const auto& v) {
    if (v) j[key] = *v;
  };
  put("max_new_tokens", f.max_new_tokens), put("max_length", f.max_length);
  put("min_new_tokens", f.min_new_tokens), put("num_beams", f.num_beams);
  put("num_return_sequences", f.num_return_sequences), put("top_k", f.top_k);
  put("no_repeat_ngram_size", f.no_repeat_ngram_size), put("temperature", f.temperature);
  put("top_p", f.top_p), put("repetition_penalty", f.repetition_penalty);
  put("length_penalty", f.length_penalty), put("do_sample", f.do_sample);
  if (f.early_stopping) {
    j["early_stopping"] = *f.early_stopping == "true"    ? io::Json(true)
                          : *f.early_stopping == "false" ? io::Json(false)
                                                         : io::Json(*f.early_stopping);
  }
  c = generation::parse_generation_config(io::JsonObject(j, "command line"), c);
  if (f.seed) c.seed = static_cast<uint64_t>(*f.seed);
  c.use_cache = !f.no_cache;
  return c;
}

// An adapter folder, or an `adalora train` output folder (its final adapter/).
std::string adapter_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  const bool is_adapter = fs::exists(fs::path(dir) / "adapter_config.json") ||
                          fs::exists(fs::path(dir) / "model.safetensors");
  if (!is_adapter && fs::exists(fs::path(dir) / "adapter" / "adapter_config.json")) {
    return (fs::path(dir) / "adapter").string();
  }
  return dir;
}

int run_generate(const GenerateFlags& f) {
  configure_threads();
  const torch::Device device = parse_device(f.device);
  const torch::ScalarType dtype = parse_compute_dtype(f.dtype);
  const bool seq2seq = [&] {
    const io::Json config = io::load_json_file(f.model + "/config.json");
    return config.value("is_encoder_decoder", false);
  }();
  models::ModelPtr model = models::load_pretrained(
      f.model, seq2seq ? models::TaskHead::Seq2SeqLM : models::TaskHead::CausalLM, dtype);
  if (!f.adapter.empty()) peft::load_adapter(*model, adapter_folder(f.adapter));
  model->to(device);
  model->eval();
  const generation::GenerationConfig config =
      apply_flags(generation::load_generation_config(f.model), f);
  const int64_t vocab = model->config().get<int64_t>("vocab_size", 0);

  std::optional<tokenizers::Tokenizer> tokenizer;
  auto tok = [&]() -> tokenizers::Tokenizer& {
    if (!tokenizer) tokenizer = tokenizers::Tokenizer::from_dir(f.model);
    return *tokenizer;
  };
  for_each_jsonl_request(f.input, [&](const io::JsonObject& fields, const std::string& where) {
    std::vector<int64_t> ids;
    if (fields.has("input_ids")) {
      ids = fields.get<std::vector<int64_t>>("input_ids");
    } else {
      ADALORA_CHECK(fields.has("text"), where, ": expected a \"text\" or \"input_ids\" field");
      ids = tok().encode(fields.get<std::string>("text")).ids;
    }
    ADALORA_CHECK(!ids.empty(), where, ": input_ids: expected at least one token");
    for (int64_t id : ids) {
      ADALORA_CHECK(id >= 0 && (vocab == 0 || id < vocab), where, ": input_ids: expected ids in [0, ",
                    vocab, "), got ", id);
    }
    const torch::Tensor prompt = torch::tensor(ids, torch::kLong).view({1, -1}).to(device);
    const generation::GenerateOutput out = generation::generate(*model, prompt, {}, config);
    // Generated part: after the prompt (decoder-only) or the decoder start token.
    const int64_t skip = model->is_encoder_decoder() ? 1 : prompt.size(1);
    io::Json returned = io::Json::array();
    for (int64_t r = 0; r < out.sequences.size(0); ++r) {
      torch::Tensor gen =
          out.sequences[r].narrow(0, skip, out.sequences.size(1) - skip).to(torch::kCPU).contiguous();
      std::vector<int64_t> gen_ids(gen.data_ptr<int64_t>(), gen.data_ptr<int64_t>() + gen.numel());
      io::Json item = {{"ids", gen_ids}, {"score", out.sequences_scores[r].item<double>()}};
      if (fields.has("text")) item["text"] = tok().decode(gen_ids);
      returned.push_back(item);
    }
    io::Json result = returned[0];
    if (returned.size() > 1) result["returned"] = returned;
    std::cout << result.dump() << "\n" << std::flush;
  });
  return 0;
}

}  // namespace

Command generate_command() {
  return {"generate", "Generate text with a causal-LM or seq2seq model (JSONL in, JSONL out)",
          [](CLI::App& app) {
            auto f = std::make_shared<GenerateFlags>();
            app.add_option("--model", f->model, "Model folder (config.json, weights, tokenizer)")
                ->required();
            app.add_option("--adapter", f->adapter,
                           "PEFT adapter folder to apply, or an `adalora train` output folder");
            app.add_option("--input", f->input, "JSONL prompts (default: stdin)");
            app.add_option("--max-new-tokens", f->max_new_tokens,
                           "Tokens to generate after the prompt (wins over --max-length, as in HF)");
            app.add_option("--max-length", f->max_length,
                           "Total length, prompt included (decoder-only) or of the output (seq2seq)");
            app.add_option("--min-new-tokens", f->min_new_tokens,
                           "EOS is suppressed until this many new tokens");
            app.add_option("--num-beams", f->num_beams,
                           "Beam search with this many beams (1: greedy or sampling)");
            app.add_option("--num-return-sequences", f->num_return_sequences,
                           "Sequences returned per input (<= beams, or independent samples)");
            app.add_option("--length-penalty", f->length_penalty,
                           "Beam score = log-prob sum / length^penalty (HF: 1.0)");
            app.add_option("--early-stopping", f->early_stopping, "true, false or never");
            app.add_option("--do-sample", f->do_sample, "true or false");
            app.add_option("--temperature", f->temperature,
                           "Sampling temperature (with --do-sample true)");
            app.add_option("--top-k", f->top_k,
                           "Sample among the k most likely tokens (0: off)");
            app.add_option("--top-p", f->top_p,
                           "Sample from the smallest set with this much probability mass (1: off)");
            app.add_option("--repetition-penalty", f->repetition_penalty,
                           "Penalise tokens already present (HF CTRL rule; 1: off)");
            app.add_option("--no-repeat-ngram-size", f->no_repeat_ngram_size,
                           "Never repeat an n-gram of this size (0: off)");
            app.add_option("--seed", f->seed, "Sampling seed (the same seed gives the same samples)");
            app.add_flag("--no-cache", f->no_cache, "Full forward per step (reference path)");
            app.add_option("--device", f->device, "cpu (default), cuda or cuda:N");
            app.add_option("--dtype", f->dtype, "Compute dtype of the model: float32 (default) or bfloat16");
            return [f]() { return run_generate(*f); };
          }};
}

}  // namespace adalora::cli
