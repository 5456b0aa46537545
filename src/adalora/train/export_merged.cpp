#include "adalora/train/export_merged.h"

#include <cctype>
#include <cstdio>
#include <filesystem>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"

namespace adalora::train {
namespace fs = std::filesystem;
namespace {

// The files HF tokenizers of the supported models keep beside the weights.
const char* const kTokenizerFiles[] = {
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
    "vocab.txt",      "vocab.json",            "merges.txt",              "spm.model",
    "sentencepiece.bpe.model", "tokenizer.model"};

const char* dtype_json_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat16: return "float16";
    case torch::kBFloat16: return "bfloat16";
    default: return "float32";
  }
}

std::string shard_name(int64_t i, int64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05lld-of-%05lld.safetensors", static_cast<long long>(i),
                static_cast<long long>(n));
  return buf;
}

}  // namespace

torch::ScalarType export_dtype_from_name(const std::string& name) {
  if (name == "f32" || name == "float32" || name == "F32") return torch::kFloat32;
  if (name == "f16" || name == "float16" || name == "F16") return torch::kFloat16;
  if (name == "bf16" || name == "bfloat16" || name == "BF16") return torch::kBFloat16;
  throw Error(str_cat("dtype: expected one of f32, f16, bf16, got \"", name, "\""));
}

int64_t parse_size(const std::string& text) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  for (auto& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::pair<const char*, double> units[] = {{"", 1},         {"B", 1},         {"KB", 1e3},
                                                  {"MB", 1e6},     {"GB", 1e9},      {"KIB", 1024.0},
                                                  {"MIB", 1048576.0}, {"GIB", 1073741824.0}};
  for (const auto& [u, factor] : units) {
    if (end > 0 && unit == u && value > 0) return static_cast<int64_t>(value * factor);
  }
  throw Error(str_cat("max shard size: expected a positive size such as 2GB, 500MB or 10MiB, got \"", text, "\""));
}

MergedExportSummary export_merged(const InferenceConfig& config, const std::string& out_dir,
                                  const MergedExportOptions& options) {
  ADALORA_CHECK(options.dtype == torch::kFloat32 || options.dtype == torch::kFloat16 ||
                    options.dtype == torch::kBFloat16,
                "export: dtype: expected F32, F16 or BF16");
  TrainedClassifier c = load_trained_classifier(config);
  c.method->merge();  // ΔW added into each adapted weight; state keys now hold the merged model

  auto params = c.model->named_parameters();
  auto buffers = c.model->named_buffers();
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  MergedExportSummary summary;
  for (const auto& key : c.model->state_keys()) {
    const torch::Tensor* t = params.find(key);
    if (t == nullptr) t = buffers.find(key);
    ADALORA_CHECK(t != nullptr, "export: the model has no tensor \"", key, "\"");
    torch::Tensor value = t->detach().cpu();
    if (value.is_floating_point()) value = value.to(options.dtype);
    summary.bytes += value.numel() * static_cast<int64_t>(value.element_size());
    tensors.emplace_back(key, value.contiguous());
  }
  summary.tensors = static_cast<int64_t>(tensors.size());

  // Shards in state order, a new one when the next tensor would pass the limit (HF's rule).
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> shards(1);
  int64_t current = 0;
  for (auto& item : tensors) {
    const int64_t size = item.second.numel() * static_cast<int64_t>(item.second.element_size());
    if (options.max_shard_bytes > 0 && current > 0 && current + size > options.max_shard_bytes) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(std::move(item));
    current += size;
  }
  summary.shards = static_cast<int64_t>(shards.size());

  std::error_code ec;
  fs::create_directories(out_dir, ec);
  ADALORA_CHECK(!ec, out_dir, ": cannot create the output folder: ", ec.message());
  const fs::path out(out_dir);
  // A previous export of the other layout would be read instead of (or beside) this one.
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (name == "model.safetensors" || name == "model.safetensors.index.json" ||
        (name.rfind("model-", 0) == 0 && e.path().extension() == ".safetensors")) {
      fs::remove(e.path());
    }
  }
  const std::map<std::string, std::string> metadata = {{"format", "pt"}};
  if (shards.size() == 1) {
    io::save_safetensors((out / "model.safetensors").string(), shards.front(), metadata);
  } else {
    io::Json weight_map = io::Json::object();
    const int64_t n = summary.shards;
    for (int64_t i = 0; i < n; ++i) {
      const std::string file = shard_name(i + 1, n);
      for (const auto& [name, t] : shards[static_cast<size_t>(i)]) weight_map[name] = file;
      io::save_safetensors((out / file).string(), shards[static_cast<size_t>(i)], metadata);
    }
    io::save_json_file((out / "model.safetensors.index.json").string(),
                       io::Json{{"metadata", {{"total_size", summary.bytes}}}, {"weight_map", weight_map}});
  }

  // config.json: the head and its labels, so that from_pretrained and `adalora eval` need nothing else.
  io::Json json = c.model->config().json();
  json["architectures"] = io::Json::array({c.model->hf_class()});
  json["torch_dtype"] = dtype_json_name(options.dtype);
  if (c.spec->is_regression) {
    json["num_labels"] = 1;
    json["problem_type"] = "regression";
    json.erase("id2label");
    json.erase("label2id");
  } else {
    io::Json id2label = io::Json::object(), label2id = io::Json::object();
    for (size_t i = 0; i < c.label_names.size(); ++i) {
      id2label[std::to_string(i)] = c.label_names[i];
      label2id[c.label_names[i]] = static_cast<int64_t>(i);
    }
    json["id2label"] = id2label;
    json["label2id"] = label2id;
    json.erase("num_labels");  // HF derives it from id2label
  }
  io::save_json_file((out / "config.json").string(), json);

  const fs::path tokenizer_dir(config.tokenizer.empty() ? config.model_dir : config.tokenizer);
  if (fs::is_directory(tokenizer_dir)) {
    for (const char* name : kTokenizerFiles) {
      if (!fs::exists(tokenizer_dir / name)) continue;
      fs::copy_file(tokenizer_dir / name, out / name, fs::copy_options::overwrite_existing, ec);
      ADALORA_CHECK(!ec, (tokenizer_dir / name).string(), ": cannot copy to ", out_dir, ": ", ec.message());
      summary.tokenizer_files.push_back(name);
    }
  }
  return summary;
}

}  // namespace adalora::train
