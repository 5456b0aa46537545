#include "adalora/peft/adapter_files.h"

#include <filesystem>

#include "adalora/core/error.h"

namespace adalora::peft {
namespace fs = std::filesystem;

void write_adapter_files(const std::string& dir, const io::Json& config,
                         const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ADALORA_CHECK(!ec, dir, ": cannot create the adapter folder: ", ec.message());
  std::vector<std::pair<std::string, torch::Tensor>> prefixed;
  prefixed.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    prefixed.emplace_back(kPeftKeyPrefix + name, t.detach().to(torch::kCPU).contiguous());
  }
  io::save_safetensors((fs::path(dir) / kAdapterWeightsFile).string(), prefixed, {{"format", "pt"}});
  io::save_json_file((fs::path(dir) / kAdapterConfigFile).string(), config);
}

AdapterFiles read_adapter_files(const std::string& dir) {
  const fs::path root(dir);
  ADALORA_CHECK(fs::is_directory(root), dir, ": expected an adapter folder (", kAdapterConfigFile,
                " + ", kAdapterWeightsFile, "), but it is not a directory");
  const auto config_path = root / kAdapterConfigFile;
  const auto weights_path = root / kAdapterWeightsFile;
  ADALORA_CHECK(fs::exists(config_path), config_path.string(), ": file not found");
  if (!fs::exists(weights_path) && fs::exists(root / "adapter_model.bin")) {
    throw Error(str_cat((root / "adapter_model.bin").string(),
                        ": PyTorch pickles are not read; save the adapter with "
                        "save_pretrained(..., safe_serialization=True) to get ", kAdapterWeightsFile));
  }
  ADALORA_CHECK(fs::exists(weights_path), weights_path.string(), ": file not found");
  return AdapterFiles{dir, io::load_json_file(config_path.string()),
                      io::SafetensorsFile::open(weights_path.string())};
}

bool AdapterFiles::contains(const std::string& name) const {
  return weights.contains(kPeftKeyPrefix + name);
}

torch::Tensor AdapterFiles::load(const std::string& name, torch::ScalarType dtype) const {
  const std::string key = kPeftKeyPrefix + name;
  ADALORA_CHECK(weights.contains(key), weights.path(), ": tensor \"", key,
                "\" not found (the adapter config targets this module)");
  torch::Tensor t = weights.load(key, dtype);
  check_finite(t, weights.path(), key);
  return t;
}

void check_finite(const torch::Tensor& t, const std::string& file, const std::string& key) {
  if (!t.is_floating_point()) return;
  const auto bad = torch::logical_not(torch::isfinite(t)).flatten().nonzero();  // [n, 1]
  if (bad.size(0) == 0) return;
  const int64_t i = bad[0][0].item<int64_t>();
  throw Error(str_cat(file, ": tensor \"", key, "\": expected finite values, got ",
                      t.flatten()[i].item<double>(), " at flat index ", i, " (", bad.size(0),
                      " non-finite values)"));
}

}  // namespace adalora::peft
