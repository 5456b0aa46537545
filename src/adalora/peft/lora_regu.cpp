#include "adalora/peft/lora_regu.h"

#include "adalora/core/error.h"
#include "adalora/core/strings.h"
#include "adalora/peft/adalora/orth_reg.h"

namespace adalora::peft {
namespace {

class LoraReguMethod : public Method {
 public:
  LoraReguMethod(MethodPtr lora, const LoraReguConfig& config) : lora_(std::move(lora)), config_(config) {
    for (const auto& [name, t] : lora_->trainable()) {
      if (ends_with(name, ".lora_A.weight")) rows_.push_back(t);     // A [r, in]
      if (ends_with(name, ".lora_B.weight")) columns_.push_back(t);  // B [out, r]
    }
  }
  const char* name() const override { return "lora_regu"; }
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override { return lora_->trainable(); }
  torch::Tensor add_regularizer(const torch::Tensor& task_loss) const override {
    if (config_.orth_reg_weight == 0) return task_loss;
    return task_loss + orthogonal_regularizer(rows_, columns_, config_.orth_reg_form) * config_.orth_reg_weight;
  }
  void save(const std::string& dir) const override { lora_->save(dir); }
  void merge() override { lora_->merge(); }
  void unmerge() override { lora_->unmerge(); }

 private:
  MethodPtr lora_;
  LoraReguConfig config_;
  std::vector<torch::Tensor> rows_, columns_;
};

}  // namespace

LoraReguConfig LoraReguConfig::from_json(const io::Json& json, const std::string& source) {
  LoraReguConfig c;
  c.lora = LoraConfig::from_peft_json(json, source);
  io::JsonObject o(json, source);
  c.orth_reg_weight = o.get_or<double>("orth_reg_weight", c.orth_reg_weight);
  if (o.has("orth_reg_form")) c.orth_reg_form = orth_reg_form_from_string(o.get<std::string>("orth_reg_form"));
  ADALORA_CHECK(c.orth_reg_weight >= 0, source, ": orth_reg_weight: expected ≥ 0, got ", c.orth_reg_weight);
  return c;
}

MethodPtr attach_lora_regu(torch::nn::Module& model, const LoraReguConfig& config) {
  return std::make_unique<LoraReguMethod>(attach_lora(model, config.lora), config);
}

MethodPtr make_lora_regu(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_lora_regu(model, LoraReguConfig::from_json(config, "lora_regu config"));
}

}  // namespace adalora::peft
