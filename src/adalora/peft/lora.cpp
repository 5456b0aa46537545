#include "adalora/peft/lora.h"

#include <cmath>
#include <filesystem>

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

class SelectedParametersMethod : public Method {
 public:
  SelectedParametersMethod(const char* name, std::vector<std::pair<std::string, torch::Tensor>> params)
      : name_(name), params_(std::move(params)) {}
  const char* name() const override { return name_; }
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override { return params_; }
  void save(const std::string& dir) const override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ADALORA_CHECK(!ec, dir, ": cannot create folder: ", ec.message());
    io::save_safetensors(dir + "/model.safetensors", params_, {{"format", "pt"}});
  }

 private:
  const char* name_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
};

}  // namespace

void LoraConfig::validate() const {
  ADALORA_CHECK(r >= 1, "lora config: r: expected ≥ 1, got ", r);
  ADALORA_CHECK(lora_dropout >= 0 && lora_dropout < 1, "lora config: lora_dropout: expected a value in [0, 1), got ",
                lora_dropout);
  ADALORA_CHECK(targets.regex || !targets.names.empty(),
                "lora config: target_modules: expected at least one module name or a regex, got none");
}

io::Json LoraConfig::to_peft_json() const {
  io::Json j = io::Json::object();
  j["base_model_name_or_path"] = nullptr;
  j["bias"] = "none";
  j["fan_in_fan_out"] = false;
  j["inference_mode"] = true;
  j["init_lora_weights"] = true;
  j["lora_alpha"] = lora_alpha;
  j["lora_dropout"] = lora_dropout;
  j["modules_to_save"] = modules_to_save.empty() ? io::Json(nullptr) : io::Json(modules_to_save);
  j["peft_type"] = "LORA";
  j["r"] = r;
  j["target_modules"] = targets.regex ? io::Json(*targets.regex) : io::Json(targets.names);
  j["task_type"] = nullptr;
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
  if (o.has("target_modules") && !o.is_null("target_modules")) {
    if (o.raw("target_modules").is_string()) {
      c.targets.regex = o.get<std::string>("target_modules");
    } else {
      c.targets.names = o.get<std::vector<std::string>>("target_modules");
    }
  }
  if (o.has("modules_to_save") && !o.is_null("modules_to_save")) {
    c.modules_to_save = o.get<std::vector<std::string>>("modules_to_save");
  }
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
  if (config.lora_dropout > 0) dropout_ = register_module("lora_dropout", torch::nn::Dropout(config.lora_dropout));
  to(dtype);
}

torch::Tensor LoraAdapter::forward(const torch::Tensor& x, const torch::Tensor& y_base) {
  auto h = x.to(lora_A->weight.scalar_type());
  if (!dropout_.is_empty()) h = dropout_(h);
  return y_base + (lora_B(lora_A(h)) * scaling).to(y_base.scalar_type());
}

torch::Tensor LoraAdapter::delta_weight() const {
  return torch::matmul(lora_B->weight, lora_A->weight) * scaling;
}

MethodPtr attach_lora(torch::nn::Module& model, const LoraConfig& config) {
  config.validate();
  auto targets = find_targets(model, config.targets);
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, std::shared_ptr<LoraAdapter>>> adapters;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers;
  for (auto& [path, layer] : targets) {
    auto t = layer->weight.scalar_type();
    auto dtype = (t == torch::kFloat16 || t == torch::kBFloat16) ? torch::kFloat32 : t;
    auto adapter = std::make_shared<LoraAdapter>(layer->options().in_features, layer->options().out_features,
                                                 config, static_cast<torch::Dtype>(dtype));
    adapter->to(layer->weight.device());
    layer->attach(adapter);
    adapters.emplace_back(path, adapter);
    layers.push_back(layer);
  }
  auto extra = collect_modules_to_save(model, config.modules_to_save);
  return std::make_unique<LoraMethod>(config, std::move(adapters), std::move(layers), std::move(extra));
}

MethodPtr attach_full_finetuning(torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (auto& p : model.named_parameters()) {
    p.value().set_requires_grad(true);
    params.emplace_back(p.key(), p.value());
  }
  return std::make_unique<SelectedParametersMethod>("full", std::move(params));
}

MethodPtr attach_bitfit(torch::nn::Module& model, const std::vector<std::string>& modules_to_save) {
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (auto& p : model.named_parameters()) {
    const std::string& n = p.key();
    if (n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0) {
      p.value().set_requires_grad(true);
      params.emplace_back(n, p.value());
    }
  }
  for (auto& item : collect_modules_to_save(model, modules_to_save)) {
    bool seen = false;
    for (const auto& [n, t] : params) seen = seen || n == item.first;
    if (!seen) params.push_back(item);
  }
  ADALORA_CHECK(!params.empty(), "bitfit: the model has no bias parameters to train");
  return std::make_unique<SelectedParametersMethod>("bitfit", std::move(params));
}

}  // namespace adalora::peft
