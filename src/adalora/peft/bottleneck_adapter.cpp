#include "adalora/peft/bottleneck_adapter.h"

#include <filesystem>
#include <map>
#include <set>

#include "adalora/core/error.h"
#include "adalora/peft/adapter_files.h"

namespace adalora::peft {
namespace {

const char* peft_type_of(BottleneckPlacement p) { return p == BottleneckPlacement::Houlsby ? "HOULSBY" : "PFEIFFER"; }

class BottleneckMethod : public Method {
 public:
  BottleneckMethod(BottleneckConfig config, std::vector<std::pair<std::string, std::shared_ptr<BottleneckAdapter>>> adapters,
                   std::vector<std::pair<std::string, torch::Tensor>> extra)
      : config_(std::move(config)), adapters_(std::move(adapters)), extra_(std::move(extra)) {}

  const char* name() const override { return to_string(config_.placement); }

  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [path, a] : adapters_) {
      out.emplace_back(path + ".adapter_down.weight", a->adapter_down->weight);
      out.emplace_back(path + ".adapter_down.bias", a->adapter_down->bias);
      out.emplace_back(path + ".adapter_up.weight", a->adapter_up->weight);
      out.emplace_back(path + ".adapter_up.bias", a->adapter_up->bias);
    }
    out.insert(out.end(), extra_.begin(), extra_.end());
    return out;
  }

  void save(const std::string& dir) const override { write_adapter_files(dir, config_.to_json(), trainable()); }
  // merge()/unmerge(): no-ops (the adapter is not a weight update; see the header).

 private:
  BottleneckConfig config_;
  std::vector<std::pair<std::string, std::shared_ptr<BottleneckAdapter>>> adapters_;
  std::vector<std::pair<std::string, torch::Tensor>> extra_;
};

TargetSpec with_modules_to_save(const BottleneckConfig& config) {
  TargetSpec spec = config.targets;
  spec.modules_to_save = config.modules_to_save;
  return spec;
}

}  // namespace

const char* to_string(BottleneckPlacement placement) {
  return placement == BottleneckPlacement::Houlsby ? "houlsby" : "pfeiffer";
}

TargetSpec default_bottleneck_targets(BottleneckPlacement placement) {
  TargetSpec spec;
  // Suffixes over the architectures: BERT/RoBERTa/DeBERTa (attention.)output.dense, GPT-2
  // attn./mlp.c_proj, LLaMA o_proj/down_proj, BART (self_attn|encoder_attn).out_proj/fc2.
  if (placement == BottleneckPlacement::Houlsby) {
    spec.names = {"output.dense", "c_proj", "o_proj", "down_proj", "out_proj", "fc2"};
  } else {
    spec.names = {"output.dense", "mlp.c_proj", "down_proj", "fc2"};
    spec.exclude = {"attention.output.dense"};
  }
  return spec;
}

void BottleneckConfig::validate(const std::string& where) const {
  ADALORA_CHECK(bottleneck_size >= 1, where, ": bottleneck_size: expected ≥ 1, got ", bottleneck_size);
  nn::activation_from_name(non_linearity, where, "non_linearity");
  ADALORA_CHECK(targets.regex || !targets.names.empty(), where,
                ": target_modules: expected at least one module name or a regex, got none");
}

io::Json BottleneckConfig::to_json() const {
  io::Json j = io::Json::object();
  j["base_model_name_or_path"] = base_model_name_or_path.empty() ? io::Json(nullptr) : io::Json(base_model_name_or_path);
  j["bottleneck_size"] = bottleneck_size;
  j["inference_mode"] = true;
  j["modules_to_save"] = modules_to_save.empty() ? io::Json(nullptr) : io::Json(modules_to_save);
  j["non_linearity"] = non_linearity;
  j["peft_type"] = peft_type_of(placement);
  write_target_spec(targets, &j);
  j["task_type"] = task_type.empty() ? io::Json(nullptr) : io::Json(task_type);
  return j;
}

BottleneckConfig BottleneckConfig::from_json(const io::Json& json, const std::string& source,
                                             BottleneckPlacement placement) {
  io::JsonObject o(json, source);
  BottleneckConfig c;
  c.placement = placement;
  c.non_linearity = placement == BottleneckPlacement::Houlsby ? "swish" : "relu";
  c.bottleneck_size = placement == BottleneckPlacement::Houlsby ? 32 : 64;  // Table 7's 1.2M level
  c.bottleneck_size = o.get_or<int64_t>("bottleneck_size", c.bottleneck_size);
  c.non_linearity = o.get_or<std::string>("non_linearity", c.non_linearity);
  if (o.has("target_modules") && !o.is_null("target_modules")) {
    c.targets = target_spec_from_peft_json(o);
  } else {
    c.targets = default_bottleneck_targets(placement);
    const TargetSpec given = target_spec_from_peft_json(o);  // exclude / layers_* without targets
    c.targets.exclude.insert(c.targets.exclude.end(), given.exclude.begin(), given.exclude.end());
    c.targets.layers_to_transform = given.layers_to_transform;
    c.targets.layers_pattern = given.layers_pattern;
  }
  if (o.has("modules_to_save") && !o.is_null("modules_to_save")) {
    c.modules_to_save = o.get<std::vector<std::string>>("modules_to_save");
  }
  c.task_type = o.get_or<std::string>("task_type", "");
  c.base_model_name_or_path = o.get_or<std::string>("base_model_name_or_path", "");
  c.validate(source);
  return c;
}

BottleneckAdapter::BottleneckAdapter(int64_t hidden_size, const BottleneckConfig& config, torch::Dtype dtype)
    : activation_(nn::activation_from_name(config.non_linearity, "bottleneck adapter", "non_linearity")),
      method_(to_string(config.placement)) {
  const int64_t d = config.bottleneck_size;
  adapter_down = register_module("adapter_down", torch::nn::Linear(hidden_size, d));
  adapter_up = register_module("adapter_up", torch::nn::Linear(d, hidden_size));
  {
    torch::NoGradGuard no_grad;
    adapter_down->weight.normal_(0.0, 0.01);
    adapter_down->bias.zero_();
    adapter_up->weight.zero_();  // exact identity at init
    adapter_up->bias.zero_();
  }
  to(dtype);
}

torch::Tensor BottleneckAdapter::forward(const torch::Tensor&, const torch::Tensor& y_base) {
  const auto h = y_base.to(adapter_down->weight.scalar_type());                         // [..., H]
  const auto z = adapter_up(nn::apply_activation(activation_, adapter_down(h)));        // [..., H]
  return y_base + z.to(y_base.scalar_type());
}

torch::Tensor BottleneckAdapter::delta_weight() const {
  throw Error(str_cat(method_, " adapter: a bottleneck adapter is not a weight update and cannot be merged"));
}

MethodPtr attach_bottleneck(torch::nn::Module& model, const BottleneckConfig& config) {
  config.validate(str_cat(to_string(config.placement), " config"));
  auto targets = find_targets(model, with_modules_to_save(config));
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, std::shared_ptr<BottleneckAdapter>>> adapters;
  for (auto& [path, layer] : targets) {
    const auto t = layer->weight.scalar_type();
    const auto dtype = (t == torch::kFloat16 || t == torch::kBFloat16) ? torch::kFloat32 : t;
    auto adapter = std::make_shared<BottleneckAdapter>(layer->options().out_features, config,
                                                       static_cast<torch::Dtype>(dtype));
    adapter->to(layer->weight.device());
    layer->attach(adapter);
    adapters.emplace_back(path, adapter);
  }
  auto extra = collect_modules_to_save(model, config.modules_to_save);
  return std::make_unique<BottleneckMethod>(config, std::move(adapters), std::move(extra));
}

MethodPtr make_houlsby(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_bottleneck(model, BottleneckConfig::from_json(config, "houlsby config", BottleneckPlacement::Houlsby));
}

MethodPtr make_pfeiffer(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_bottleneck(model, BottleneckConfig::from_json(config, "pfeiffer config", BottleneckPlacement::Pfeiffer));
}

MethodPtr load_bottleneck(torch::nn::Module& model, const std::string& dir) {
  const AdapterFiles files = read_adapter_files(dir);
  const std::string source = (std::filesystem::path(dir) / kAdapterConfigFile).string();
  io::JsonObject o(files.config, source);
  const std::string type = o.get<std::string>("peft_type");
  ADALORA_CHECK(type == "HOULSBY" || type == "PFEIFFER", source, ": peft_type: expected \"HOULSBY\" or \"PFEIFFER\", got \"",
                type, "\"");
  const auto placement = type == "HOULSBY" ? BottleneckPlacement::Houlsby : BottleneckPlacement::Pfeiffer;
  const BottleneckConfig config = BottleneckConfig::from_json(files.config, source, placement);
  // Every stored tensor is checked before the model is touched: a failed load leaves it as it was.
  std::set<std::string> expected;
  std::vector<std::pair<std::string, torch::Tensor>> values;
  auto check = [&](const std::string& name, const std::vector<int64_t>& shape, torch::ScalarType dtype) {
    const std::string key = kPeftKeyPrefix + name;
    ADALORA_CHECK(files.weights.contains(key), files.weights.path(), ": tensor \"", key,
                  "\" not found (the adapter config targets this module)");
    const auto& stored = files.weights.info(key).shape;
    ADALORA_CHECK(stored == shape, files.weights.path(), ": tensor \"", key, "\": expected shape ",
                  c10::IntArrayRef(shape), ", got ", c10::IntArrayRef(stored));
    values.emplace_back(name, files.load(name, dtype));
    expected.insert(key);
  };
  const int64_t d = config.bottleneck_size;
  for (const auto& [path, layer] : find_targets(model, with_modules_to_save(config))) {
    const int64_t h = layer->options().out_features;
    const auto t = layer->weight.scalar_type();
    const auto dtype = (t == torch::kFloat16 || t == torch::kBFloat16) ? torch::kFloat32 : t;
    check(path + ".adapter_down.weight", {d, h}, dtype);
    check(path + ".adapter_down.bias", {d}, dtype);
    check(path + ".adapter_up.weight", {h, d}, dtype);
    check(path + ".adapter_up.bias", {h}, dtype);
  }
  {
    std::vector<bool> grad_before;  // collect_modules_to_save marks trainable; restored
    for (auto& p : model.parameters()) grad_before.push_back(p.requires_grad());
    for (const auto& [name, p] : collect_modules_to_save(model, config.modules_to_save)) {
      check(name, p.sizes().vec(), p.scalar_type());
    }
    size_t i = 0;
    for (auto& p : model.parameters()) p.set_requires_grad(grad_before[i++]);
  }
  std::string unused;
  for (const auto& key : files.weights.names()) {
    if (!expected.count(key)) unused += (unused.empty() ? "" : ", ") + key;
  }
  ADALORA_CHECK(unused.empty(), files.weights.path(),
                ": tensors not used by the configured target_modules and modules_to_save: ", unused);

  MethodPtr method = attach_bottleneck(model, config);
  std::map<std::string, torch::Tensor> by_name(values.begin(), values.end());
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : method->trainable()) {
    tensor.copy_(by_name.at(name));
    tensor.set_requires_grad(false);
  }
  return method;
}

}  // namespace adalora::peft
