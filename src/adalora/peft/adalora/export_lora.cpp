#include "adalora/peft/adalora/export_lora.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/lora.h"

namespace adalora::peft {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Module {
  std::string path;
  torch::Tensor a;  // [r_k, in]
  torch::Tensor b;  // [out, r_k], λ folded in
};

}  // namespace

LoraExportSummary export_adalora_as_lora(const std::string& adalora_dir, const std::string& out_dir,
                                         const LoraExportOptions& options) {
  const AdapterFiles files = read_adapter_files(adalora_dir);
  const std::string source = (std::filesystem::path(adalora_dir) / kAdapterConfigFile).string();
  const AdaLoraConfig adalora = AdaLoraConfig::from_peft_json(files.config, source);
  ADALORA_CHECK(options.uniform_rank >= 0, "export: uniform rank: expected ≥ 0, got ", options.uniform_rank);
  // PEFT's SVDLinear: scaling = lora_alpha (init_r when ≤ 0), divided by ranknum + 1e-5.
  const double alpha = adalora.lora_alpha > 0 ? adalora.lora_alpha : static_cast<double>(adalora.init_r);
  const double scaling = alpha / (static_cast<double>(adalora.init_r) + 1e-5);

  const std::string prefix = kPeftKeyPrefix;
  std::vector<Module> modules;
  std::vector<std::pair<std::string, torch::Tensor>> saved;  // modules_to_save tensors, as stored
  LoraExportSummary summary;
  for (const auto& key : files.weights.names()) {
    const std::string name = key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
    if (ends_with(name, ".lora_A") || ends_with(name, ".lora_B")) continue;  // read with lora_E
    if (!ends_with(name, ".lora_E")) {
      saved.emplace_back(name, files.weights.load(key));
      continue;
    }
    const std::string path = name.substr(0, name.size() - std::string(".lora_E").size());
    const auto e = files.load(path + ".lora_E", torch::kFloat64);  // [r, 1]
    const auto a = files.load(path + ".lora_A", torch::kFloat64);  // [r, in]
    const auto b = files.load(path + ".lora_B", torch::kFloat64);  // [out, r]
    const int64_t r = e.size(0);
    ADALORA_CHECK(e.dim() == 2 && e.size(1) == 1 && a.dim() == 2 && a.size(0) == r && b.dim() == 2 &&
                      b.size(1) == r,
                  files.weights.path(), ": tensors of \"", prefix, path,
                  "\": expected lora_E [r, 1], lora_A [r, in], lora_B [out, r], got ", e.sizes(), ", ",
                  a.sizes(), ", ", b.sizes());
    if (r == 0) {
      ++summary.dropped_modules;
      continue;
    }
    const auto dtype = files.weights.info(key).dtype;
    const auto out_type = io::scalar_type_from_safetensors(dtype);
    // B' = B · diag(λ): column j of B times λ_j (float64, then the adapter's own dtype).
    modules.push_back({path, a.to(out_type), (b * e.t()).to(out_type)});
  }
  ADALORA_CHECK(!modules.empty(), files.weights.path(),
                ": expected at least one module with a kept triplet (lora_E of rank ≥ 1), found none");

  LoraConfig lora;
  lora.lora_dropout = adalora.lora_dropout;
  lora.modules_to_save = adalora.modules_to_save;
  lora.task_type = adalora.task_type;
  lora.base_model_name_or_path = adalora.base_model_name_or_path;
  for (const auto& m : modules) {
    lora.targets.names.push_back(m.path);  // full paths: exactly the kept modules
    summary.max_rank = std::max(summary.max_rank, m.a.size(0));
    summary.total_rank += m.a.size(0);
  }
  summary.modules = static_cast<int64_t>(modules.size());

  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  if (options.uniform_rank > 0) {
    const int64_t r = options.uniform_rank;
    for (auto& m : modules) {
      ADALORA_CHECK(m.a.size(0) <= r, "export: uniform rank ", r, ": module \"", m.path, "\" keeps ",
                    m.a.size(0), " triplets (", files.weights.path(), "); pass a rank ≥ ", summary.max_rank);
      const int64_t pad = r - m.a.size(0);
      m.a = torch::cat({m.a, torch::zeros({pad, m.a.size(1)}, m.a.options())}, 0);  // [r, in]
      m.b = torch::cat({m.b, torch::zeros({m.b.size(0), pad}, m.b.options())}, 1);  // [out, r]
    }
    lora.r = r;
    lora.lora_alpha = static_cast<double>(r) * scaling;
  } else {
    lora.r = summary.max_rank;
    lora.lora_alpha = static_cast<double>(summary.max_rank) * scaling;
    for (const auto& m : modules) {
      if (m.a.size(0) == lora.r) continue;
      lora.rank_pattern[m.path] = m.a.size(0);
      lora.alpha_pattern[m.path] = static_cast<double>(m.a.size(0)) * scaling;
    }
  }
  if (options.max_rank > 0) {
    ADALORA_CHECK(lora.r <= options.max_rank, "export: the LoRA rank would be ", lora.r,
                  ", above the target server's limit of ", options.max_rank, " (--max-rank)");
  }
  for (const auto& m : modules) {
    tensors.emplace_back(m.path + ".lora_A.weight", m.a);
    tensors.emplace_back(m.path + ".lora_B.weight", m.b);
  }
  tensors.insert(tensors.end(), saved.begin(), saved.end());
  lora.validate();
  write_adapter_files(out_dir, lora.to_peft_json(), tensors);
  return summary;
}

}  // namespace adalora::peft
