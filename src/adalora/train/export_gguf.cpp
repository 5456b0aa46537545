#include "adalora/train/export_gguf.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>

#include <unistd.h>

#include "adalora/core/error.h"
#include "adalora/io/hf_config.h"
#include "adalora/models/llama_gguf.h"
#include "adalora/peft/adalora/export_lora.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/lora.h"


namespace adalora::train {
using peft::AdapterFiles;
using peft::kAdapterConfigFile;
using peft::kAdapterWeightsFile;
using peft::kPeftKeyPrefix;
using peft::LoraConfig;
using peft::read_adapter_files;

namespace {
namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A scratch folder for the AdaLoRA → LoRA step, removed when the export ends (either way).
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            str_cat("adalora-gguf-", ::getpid(), "-", counter++, "-",
                    std::chrono::steady_clock::now().time_since_epoch().count());
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

}  // namespace

GgufExportSummary export_adapter_as_gguf(const std::string& adapter_dir, const std::string& base_config,
                                         const std::string& out_file, const GgufExportOptions& options) {
  const auto hf = io::HfConfig::load(base_config);
  const auto layout = models::llama_gguf_layout(hf, "--to gguf");

  std::optional<ScratchDir> scratch;
  std::string lora_dir = adapter_dir;
  {
    const AdapterFiles probe = read_adapter_files(adapter_dir);
    const std::string source = (fs::path(adapter_dir) / kAdapterConfigFile).string();
    const std::string type = io::JsonObject(probe.config, source).get_or<std::string>("peft_type", "");
    if (type == "ADALORA") {
      scratch.emplace();
      peft::export_adalora_as_lora(adapter_dir, scratch->str());
      lora_dir = scratch->str();
    } else {
      ADALORA_CHECK(type == "LORA", source, ": peft_type: expected \"LORA\" or \"ADALORA\", got \"", type, "\"");
    }
  }
  const AdapterFiles files = read_adapter_files(lora_dir);
  const std::string source = (fs::path(adapter_dir) / kAdapterConfigFile).string();
  io::JsonObject o(files.config, source);
  for (const char* flag : {"use_dora", "use_rslora"}) {  // llama.cpp scales by alpha / r, plain LoRA only
    ADALORA_CHECK(!o.has(flag) || o.is_null(flag) || !o.get<bool>(flag), source, ": ", flag,
                  ": expected false (llama.cpp LoRA adapters are plain LoRA), got true");
  }
  const LoraConfig config = LoraConfig::from_peft_json(files.config, source);
  const std::string weights = (fs::path(adapter_dir) / kAdapterWeightsFile).string();

  GgufExportSummary summary;
  summary.architecture = layout.architecture;
  summary.alpha = config.lora_alpha;
  const float alpha = static_cast<float>(config.lora_alpha);  // what llama.cpp reads back

  io::GgufWriter writer;
  writer.add_string("general.architecture", layout.architecture);
  writer.add_string("general.type", "adapter");
  writer.add_uint32("general.file_type", options.type == io::GgmlType::F32 ? 0 : 1);  // ALL_F32 / MOSTLY_F16
  writer.add_uint32("general.quantization_version", 2);
  writer.add_string("adapter.type", "lora");
  writer.add_float32("adapter.lora.alpha", alpha);

  const std::string prefix = kPeftKeyPrefix;
  for (const auto& key : files.weights.names()) {
    const std::string name = key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
    if (ends_with(name, ".lora_B.weight")) continue;  // read with its lora_A
    ADALORA_CHECK(ends_with(name, ".lora_A.weight"), weights, ": tensor \"", key,
                  "\": llama.cpp LoRA adapters hold only lora_A / lora_B (modules_to_save and trained "
                  "embeddings are not loaded there; use --to merged)");
    const std::string path = name.substr(0, name.size() - std::string(".lora_A.weight").size());
    const auto gguf_name = models::llama_gguf_weight_name(path);
    ADALORA_CHECK(gguf_name.has_value(), weights, ": module \"", path,
                  "\": expected a projection llama.cpp adapts (q/k/v/o_proj, gate/up/down_proj, lm_head)");
    ADALORA_CHECK(!(path == "lm_head" && layout.tie_word_embeddings), weights,
                  ": module \"lm_head\": the base ties it to the embeddings (tie_word_embeddings), and "
                  "llama.cpp ignores adapters on a tied output (convert_lora_to_gguf.py refuses it too)");
    const auto a = files.load(path + ".lora_A.weight", torch::kFloat64);  // [r, in]
    auto b = files.load(path + ".lora_B.weight", torch::kFloat64);        // [out, r]
    const auto expected = layout.linear_shape(*gguf_name);
    ADALORA_CHECK(expected.has_value(), weights, ": module \"", path, "\": the base (", hf.source(), ") has ",
                  layout.num_hidden_layers, " layers");
    const auto [out_features, in_features] = *expected;
    ADALORA_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == in_features && b.size(0) == out_features &&
                      a.size(0) == b.size(1) && a.size(0) >= 1,
                  weights, ": module \"", path, "\": expected lora_A [r, ", in_features, "] and lora_B [",
                  out_features, ", r] for the base ", hf.source(), ", got ", a.sizes(), " and ", b.sizes());
    const int64_t r = a.size(0);
    const double peft_scale = config.rank_and_alpha(path).second / static_cast<double>(r);
    const double llama_scale = alpha != 0.0f ? static_cast<double>(alpha) / static_cast<double>(r) : 1.0;
    if (peft_scale != llama_scale) {
      b = b * (peft_scale / llama_scale);
      ++summary.rescaled_modules;
    }
    if (layout.permute_qk && ends_with(*gguf_name, ".attn_q.weight")) {
      b = models::llama_permute_rotary_rows(b, layout.num_attention_heads);
    } else if (layout.permute_qk && ends_with(*gguf_name, ".attn_k.weight")) {
      b = models::llama_permute_rotary_rows(b, layout.num_key_value_heads);
    }
    writer.add_tensor(*gguf_name + ".lora_a", a, options.type);
    writer.add_tensor(*gguf_name + ".lora_b", b, options.type);
    ++summary.modules;
    summary.max_rank = std::max(summary.max_rank, r);
  }
  ADALORA_CHECK(summary.modules > 0, weights, ": expected at least one lora_A / lora_B pair, found none");
  writer.write(out_file);
  return summary;
}

}  // namespace adalora::train
