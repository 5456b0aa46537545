#include "adalora/peft/adapter_loader.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "adalora/core/error.h"
#include "adalora/core/strings.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/registry.h"
#include "adalora/peft/selected_parameters.h"

namespace adalora::peft {
namespace fs = std::filesystem;

namespace {

enum class Kind { AdaLora, Lora };

// The peft_type of what `dir` holds ("" = a model.safetensors of full fine-tuning / BitFit);
// Error naming the file when no registered method loads it.
std::string peft_type_of(const std::string& dir) {
  const fs::path root(dir);
  ADALORA_CHECK(fs::is_directory(root), dir,
                ": expected an adapter folder, but it is not a directory");
  std::string supported;
  for (const auto& e : methods()) {
    if (e.load && *e.peft_type) supported += (supported.empty() ? "" : ", ") + std::string(e.peft_type);
  }
  const fs::path config_path = root / kAdapterConfigFile;
  if (fs::exists(config_path)) {
    const io::Json config = io::load_json_file(config_path.string());
    io::JsonObject o(config, config_path.string());
    ADALORA_CHECK(o.has("peft_type") && !o.is_null("peft_type"), config_path.string(),
                  ": peft_type: expected one of ", supported, ", got none");
    const std::string type = o.get<std::string>("peft_type");
    if (!type.empty() && find_loader(type)) return type;
    throw Error(str_cat(config_path.string(), ": peft_type: expected one of ", supported,
                        ", got \"", type, "\" (not supported)"));
  }
  if (fs::exists(root / "model.safetensors")) return "";
  throw Error(str_cat(dir, ": expected an adapter folder (", kAdapterConfigFile, " + ",
                      kAdapterWeightsFile,
                      ", or the model.safetensors of full fine-tuning / BitFit), found neither"));
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace

MethodPtr load_adapter(torch::nn::Module& model, const std::string& dir) {
  return find_loader(peft_type_of(dir))->load(model, dir);
}

AdapterSummary describe_adapter(const std::string& dir) {
  const std::string type = peft_type_of(dir);
  AdapterSummary s;
  s.dir = dir;
  if (type.empty()) {
    const auto file = io::SafetensorsFile::open((fs::path(dir) / "model.safetensors").string());
    const auto it = file.metadata().find(kMethodMetadataKey);
    s.method = it != file.metadata().end() ? it->second : "full";
    for (const auto& name : file.names()) {
      ++s.stored_tensors;
      s.stored_parameters += numel(file.info(name).shape);
    }
    s.peft_trainable_parameters = s.stored_parameters;
    return s;
  }

  const AdapterFiles files = read_adapter_files(dir);
  const std::string source = (fs::path(dir) / kAdapterConfigFile).string();
  io::JsonObject o(files.config, source);
  s.method = find_loader(type)->name;
  if (type != "ADALORA" && type != "LORA") {  // no ranks to show: the stored tensors
    for (const auto& key : files.weights.names()) {
      ++s.stored_tensors;
      s.stored_parameters += numel(files.weights.info(key).shape);
    }
    s.peft_trainable_parameters = s.stored_parameters;
    return s;
  }
  const Kind kind = type == "ADALORA" ? Kind::AdaLora : Kind::Lora;
  const std::string prefix = kPeftKeyPrefix;
  const std::string rank_key = kind == Kind::AdaLora ? ".lora_E" : ".lora_A.weight";
  const std::string a_key = kind == Kind::AdaLora ? ".lora_A" : ".lora_A.weight";
  const std::string b_key = kind == Kind::AdaLora ? ".lora_B" : ".lora_B.weight";
  std::map<std::string, std::vector<bool>> pattern;
  if (kind == Kind::AdaLora && o.has("rank_pattern") && !o.is_null("rank_pattern")) {
    for (const auto& [module, bits] : o.raw("rank_pattern").items()) {
      ADALORA_CHECK(bits.is_array(), source, ": rank_pattern: \"", module,
                    "\": expected a list of booleans, got ", bits.dump());
      pattern[module] = bits.get<std::vector<bool>>();
    }
  }
  const int64_t init_r = o.get_or<int64_t>(kind == Kind::AdaLora ? "init_r" : "r", 8);
  auto shape_of = [&](const std::string& key) {
    ADALORA_CHECK(files.weights.contains(key), files.weights.path(), ": tensor \"", key,
                  "\" not found");
    return files.weights.info(key).shape;
  };
  for (const auto& key : files.weights.names()) {
    const auto shape = files.weights.info(key).shape;
    ++s.stored_tensors;
    s.stored_parameters += numel(shape);
    const bool adapter_tensor = ends_with(key, a_key) || ends_with(key, b_key) ||
                                (kind == Kind::AdaLora && ends_with(key, ".lora_E"));
    if (!adapter_tensor) {
      s.modules_to_save_parameters += numel(shape);
      const std::string name = key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
      s.modules_to_save.push_back(name);
      continue;
    }
    if (!ends_with(key, rank_key)) continue;
    AdaptedModule m;
    const std::string base = key.substr(0, key.size() - rank_key.size());
    m.path = base.rfind(prefix, 0) == 0 ? base.substr(prefix.size()) : base;
    const auto a = shape_of(base + a_key);  // [r, in]
    const auto b = shape_of(base + b_key);  // [out, r]
    ADALORA_CHECK(a.size() == 2 && b.size() == 2, files.weights.path(), ": tensors of \"", base,
                  "\": expected 2-D lora_A and lora_B");
    m.in_features = a[1];
    m.out_features = b[0];
    m.init_r = init_r;
    m.rank = a[0];
    m.stored_parameters = numel(a) + numel(b);
    if (kind == Kind::AdaLora) {
      m.stored_parameters += numel(shape);
      const auto it = pattern.find(m.path + ".lora_E");
      if (it != pattern.end()) {
        m.rank = std::count(it->second.begin(), it->second.end(), true);
        m.init_r = static_cast<int64_t>(it->second.size());
      }
      s.peft_trainable_parameters += m.init_r * (m.in_features + m.out_features + 1);
    } else {
      s.peft_trainable_parameters += m.rank * (m.in_features + m.out_features);
    }
    s.total_rank += m.rank;
    s.budget_rank += m.init_r;
    s.modules.push_back(m);
  }
  s.peft_trainable_parameters += s.modules_to_save_parameters;
  return s;
}

}  // namespace adalora::peft
