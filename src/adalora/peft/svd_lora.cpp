#include "adalora/peft/svd_lora.h"

#include "adalora/peft/adalora/adalora_method.h"

namespace adalora::peft {

AdaLoraConfig svd_lora_config(const io::Json& json, const std::string& source) {
  io::JsonObject o(json, source);
  io::Json j = json;
  j["peft_type"] = "ADALORA";
  const int64_t r = o.get_or<int64_t>("r", AdaLoraConfig{}.init_r);
  j["init_r"] = r;
  j["target_r"] = r;
  j["adalora_budget_allocation"] = false;
  if (j.contains("orth_reg_form")) j["adalora_orth_reg_form"] = j.at("orth_reg_form");
  return AdaLoraConfig::from_peft_json(j, source);
}

MethodPtr make_svd_lora(torch::nn::Module& model, const io::Json& config, int64_t total_step) {
  AdaLoraConfig c = svd_lora_config(config, "svd_lora config");
  c.total_step = total_step;
  return attach_adalora(model, c);
}

}  // namespace adalora::peft
