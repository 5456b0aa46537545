#include "adalora/peft/lora.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adapter_files.h"

namespace adalora::peft {
namespace {

class LoraMethod : public Method {
 public:
  LoraMethod(LoraConfig config, std::vector<std::pair<std::string, std::shared_ptr<LoraAdapter>>> adapters,
             std::vector<std::shared_ptr<nn::LinearImpl>> layers,
             std::vector<std::pair<std::string, torch::Tensor>> extra)
      : config_(std::move(config)), adapters_(std::move(adapters)), layers_(std::move(layers)),
        extra_(std::move(extra)) {}

  const char* name() const override { return "lora"; }

  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [path, a] : adapters_) {
      out.emplace_back(path + ".lora_A.weight", a->lora_A->weight);
      out.emplace_back(path + ".lora_B.weight", a->lora_B->weight);
    }
    out.insert(out.end(), extra_.begin(), extra_.end());
    return out;
  }

  void save(const std::string& dir) const override {
    write_adapter_files(dir, config_.to_peft_json(), trainable());
  }

  void merge() override {
    for (auto& l : layers_) l->merge();
  }
  void unmerge() override {
    for (auto& l : layers_) l->unmerge();
  }

 private:
  LoraConfig config_;
  std::vector<std::pair<std::string, std::shared_ptr<LoraAdapter>>> adapters_;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers_;
  std::vector<std::pair<std::string, torch::Tensor>> extra_;
};

}  // namespace

namespace {

// PEFT's get_pattern_key: the first key that matches the end of the module path.
template <typename T>
const T* pattern_value(const std::map<std::string, T>& pattern, const std::string& path) {
  for (const auto& [key, value] : pattern) {
    if (std::regex_match(path, std::regex("(.*\\.)?(" + key + ")"))) return &value;
  }
  return nullptr;
}

}  // namespace

std::pair<int64_t, double> LoraConfig::rank_and_alpha(const std::string& path) const {
  const int64_t* rank = pattern_value(rank_pattern, path);
  const double* alpha = pattern_value(alpha_pattern, path);
  return {rank ? *rank : r, alpha ? *alpha : lora_alpha};
}

void LoraConfig::validate() const {
  ADALORA_CHECK(r >= 1, "lora config: r: expected ≥ 1, got ", r);
  ADALORA_CHECK(lora_dropout >= 0 && lora_dropout < 1, "lora config: lora_dropout: expected a value in [0, 1), got ",
                lora_dropout);
  ADALORA_CHECK(targets.regex || !targets.names.empty(),
                "lora config: target_modules: expected at least one module name or a regex, got none");
  for (const auto& [key, rank] : rank_pattern) {
    ADALORA_CHECK(rank >= 1, "lora config: rank_pattern: \"", key, "\": expected r ≥ 1, got ", rank);
  }
  for (const auto& [key, alpha] : alpha_pattern) {
    ADALORA_CHECK(std::isfinite(alpha), "lora config: alpha_pattern: \"", key, "\": expected a finite number, got ",
                  alpha);
  }
}

io::Json LoraConfig::to_peft_json() const {
  io::Json j = io::Json::object();
  io::Json alphas = io::Json::object(), ranks = io::Json::object();
  for (const auto& [key, alpha] : alpha_pattern) alphas[key] = alpha;
  for (const auto& [key, rank] : rank_pattern) ranks[key] = rank;
  j["alpha_pattern"] = alphas;
  j["base_model_name_or_path"] = base_model_name_or_path.empty() ? io::Json(nullptr) : io::Json(base_model_name_or_path);
  j["bias"] = "none";
  j["fan_in_fan_out"] = fan_in_fan_out;
  j["inference_mode"] = true;
  j["init_lora_weights"] = true;
  j["lora_alpha"] = lora_alpha;
  j["lora_dropout"] = lora_dropout;
  j["modules_to_save"] = modules_to_save.empty() ? io::Json(nullptr) : io::Json(modules_to_save);
  j["peft_type"] = "LORA";
  j["r"] = r;
  j["rank_pattern"] = ranks;
  write_target_spec(targets, &j);
  j["task_type"] = task_type.empty() ? io::Json(nullptr) : io::Json(task_type);
  j["use_dora"] = false;
  j["use_rslora"] = false;
  return j;
}

LoraConfig LoraConfig::from_peft_json(const io::Json& json, const std::string& source) {
  io::JsonObject o(json, source);
  LoraConfig c;
  c.r = o.get_or<int64_t>("r", c.r);
  c.lora_alpha = o.get_or<double>("lora_alpha", c.lora_alpha);
  c.lora_dropout = o.get_or<double>("lora_dropout", c.lora_dropout);
  c.fan_in_fan_out = o.get_or<bool>("fan_in_fan_out", c.fan_in_fan_out);
  c.targets = target_spec_from_peft_json(o);
  if (o.has("modules_to_save") && !o.is_null("modules_to_save")) {
    c.modules_to_save = o.get<std::vector<std::string>>("modules_to_save");
  }
  if (o.has("rank_pattern") && !o.is_null("rank_pattern")) {
    io::JsonObject rp = o.object("rank_pattern");
    for (const auto& [key, value] : rp.json().items()) c.rank_pattern[key] = rp.get<int64_t>(key);
  }
  if (o.has("alpha_pattern") && !o.is_null("alpha_pattern")) {
    io::JsonObject ap = o.object("alpha_pattern");
    for (const auto& [key, value] : ap.json().items()) c.alpha_pattern[key] = ap.get<double>(key);
  }
  c.task_type = o.get_or<std::string>("task_type", "");
  c.base_model_name_or_path = o.get_or<std::string>("base_model_name_or_path", "");
  return c;
}

LoraAdapter::LoraAdapter(int64_t in_features, int64_t out_features, const LoraConfig& config,
                         torch::Dtype dtype)
    : scaling(config.lora_alpha / static_cast<double>(config.r)) {
  lora_A = register_module("lora_A", torch::nn::Linear(torch::nn::LinearOptions(in_features, config.r).bias(false)));
  lora_B = register_module("lora_B", torch::nn::Linear(torch::nn::LinearOptions(config.r, out_features).bias(false)));
  {
    torch::NoGradGuard no_grad;
    // PEFT: kaiming_uniform_(A, a=√5) (nn.Linear's default, already applied), B = 0.
    lora_B->weight.zero_();
  }
  if (config.lora_dropout > 0) dropout_ = register_module("lora_dropout", nn::Dropout(config.lora_dropout));
  to(dtype);
}

torch::Tensor LoraAdapter::forward(const torch::Tensor& x, const torch::Tensor& y_base) {
  auto h = x.to(lora_A->weight.scalar_type());
  if (!dropout_.is_empty()) h = dropout_(h);
  const auto& A = lora_A->weight;  // [r, in]
  const auto& B = lora_B->weight;  // [out, r]
  if (y_base.scalar_type() != A.scalar_type()) {
    // Half-precision base, float32 adapter: PEFT's order, cast back.
    return y_base + (lora_B(lora_A(h)) * scaling).to(y_base.scalar_type());
  }
  // y_base + scaling · (h Aᵀ) Bᵀ as one addmm (as SvdAdapter::forward): scaling rides on alpha and
  // the residual on beta = 1, so neither forward nor backward makes an [N, out] temporary beyond
  // the output; PEFT's `y + lora_B(lora_A(x)) * scaling` makes two in each direction.
  const int64_t in = A.size(1), out = B.size(0);
  const auto t = torch::mm(h.reshape({-1, in}), A.t());  // [N, r]
  return torch::addmm(y_base.reshape({-1, out}), t, B.t(), /*beta=*/1, /*alpha=*/scaling).view(y_base.sizes());
}

std::optional<nn::LowRankUpdate> LoraAdapter::low_rank_update(const torch::Tensor& x) {
  const auto& A = lora_A->weight;
  if (x.scalar_type() != A.scalar_type()) return std::nullopt;
  nn::LowRankUpdate update{A, lora_B->weight, scaling, torch::Tensor()};
  if (!dropout_.is_empty() && is_training()) update.input = dropout_(x);
  return update;
}

torch::Tensor LoraAdapter::forward_reference(const torch::Tensor& x, const torch::Tensor& y_base) {
  auto h = x.to(lora_A->weight.scalar_type());
  if (!dropout_.is_empty()) h = dropout_(h);
  return y_base + (lora_B(lora_A(h)) * scaling).to(y_base.scalar_type());
}

torch::Tensor LoraAdapter::delta_weight() const {
  return torch::matmul(lora_B->weight, lora_A->weight) * scaling;
}

namespace {

TargetSpec lora_targets(const LoraConfig& config) {
  TargetSpec spec = config.targets;
  spec.modules_to_save = config.modules_to_save;
  return spec;
}

}  // namespace

MethodPtr attach_lora(torch::nn::Module& model, const LoraConfig& lora_config) {
  lora_config.validate();
  auto targets = find_targets(model, lora_targets(lora_config));
  LoraConfig config = lora_config;
  for (auto& [path, layer] : targets) config.fan_in_fan_out |= layer->options().fan_in_fan_out;
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, std::shared_ptr<LoraAdapter>>> adapters;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers;
  for (auto& [path, layer] : targets) {
    auto t = layer->weight.scalar_type();
    auto dtype = (t == torch::kFloat16 || t == torch::kBFloat16) ? torch::kFloat32 : t;
    LoraConfig module_config = config;  // this module's r and alpha (rank_pattern / alpha_pattern)
    std::tie(module_config.r, module_config.lora_alpha) = config.rank_and_alpha(path);
    auto adapter = std::make_shared<LoraAdapter>(layer->options().in_features, layer->options().out_features,
                                                 module_config, static_cast<torch::Dtype>(dtype));
    adapter->to(layer->weight.device());
    layer->attach(adapter);
    adapters.emplace_back(path, adapter);
    layers.push_back(layer);
  }
  auto extra = collect_modules_to_save(model, config.modules_to_save);
  return std::make_unique<LoraMethod>(config, std::move(adapters), std::move(layers), std::move(extra));
}

MethodPtr make_lora(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_lora(model, LoraConfig::from_peft_json(config, "lora config"));
}

MethodPtr load_lora(torch::nn::Module& model, const std::string& dir, bool trainable) {
  const AdapterFiles files = read_adapter_files(dir);
  const std::string source = (std::filesystem::path(dir) / kAdapterConfigFile).string();
  io::JsonObject o(files.config, source);
  const std::string type = o.get_or<std::string>("peft_type", "");
  ADALORA_CHECK(type == "LORA", source, ": peft_type: expected \"LORA\", got \"", type, "\"");
  for (const char* flag : {"use_dora", "use_rslora"}) {
    ADALORA_CHECK(!o.has(flag) || o.is_null(flag) || !o.get<bool>(flag), source, ": ", flag,
                  ": expected false (not implemented here), got true");
  }
  const std::string bias = o.get_or<std::string>("bias", "none");
  ADALORA_CHECK(bias == "none", source, ": bias: expected \"none\" (trained biases are not implemented here), got \"",
                bias, "\"");
  const LoraConfig config = LoraConfig::from_peft_json(files.config, source);
  config.validate();
  // Every stored tensor is checked before the model is touched: a failed load leaves it as it was.
  std::set<std::string> expected;
  auto check = [&](const std::string& name, const std::vector<int64_t>& shape) {
    const std::string key = kPeftKeyPrefix + name;
    ADALORA_CHECK(files.weights.contains(key), files.weights.path(), ": tensor \"", key,
                  "\" not found (the adapter config targets this module)");
    const auto& stored = files.weights.info(key).shape;
    ADALORA_CHECK(stored == shape, files.weights.path(), ": tensor \"", key, "\": expected shape ",
                  c10::IntArrayRef(shape), ", got ", c10::IntArrayRef(stored));
    expected.insert(key);
  };
  const auto targets = find_targets(model, lora_targets(config));
  for (const auto& [path, layer] : targets) {
    const auto& o = layer->options();
    const int64_t r = config.rank_and_alpha(path).first;
    check(path + ".lora_A.weight", {r, o.in_features});   // [r, in]
    check(path + ".lora_B.weight", {o.out_features, r});  // [out, r]
  }
  // PEFT ignores a pattern key that matches nothing; here it means an adapter for another model.
  auto check_pattern_keys = [&](const char* field, const auto& pattern) {
    for (const auto& [key, value] : pattern) {
      bool used = false;
      for (const auto& [path, layer] : targets) {
        used = used || std::regex_match(path, std::regex("(.*\\.)?(" + key + ")"));
      }
      ADALORA_CHECK(used, source, ": ", field, ": \"", key, "\": expected a key matching an adapted module, "
                    "but it matches none of the ", targets.size(), " (e.g. \"", targets.front().first, "\")");
    }
  };
  check_pattern_keys("rank_pattern", config.rank_pattern);
  check_pattern_keys("alpha_pattern", config.alpha_pattern);
  for (const auto& [name, p] : collect_modules_to_save(model, config.modules_to_save)) {
    check(name, p.sizes().vec());
  }
  std::string unused;
  for (const auto& key : files.weights.names()) {
    if (!expected.count(key)) unused += (unused.empty() ? "" : ", ") + key;
  }
  ADALORA_CHECK(unused.empty(), files.weights.path(),
                ": tensors not used by the configured target_modules and modules_to_save: ", unused);

  MethodPtr method = attach_lora(model, config);
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : method->trainable()) {
    tensor.copy_(files.load(name, tensor.scalar_type()));
    tensor.set_requires_grad(trainable);
  }
  return method;
}

}  // namespace adalora::peft
