#include "adalora/peft/registry.h"

#include <functional>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/peft/lora.h"

namespace adalora::peft {
namespace {

std::vector<std::string> modules_to_save_of(const io::Json& config) {
  if (!config.contains("modules_to_save") || config.at("modules_to_save").is_null()) return {};
  return io::JsonObject(config, "method config").get<std::vector<std::string>>("modules_to_save");
}

MethodPtr make_adalora(torch::nn::Module& model, const io::Json& config, int64_t total_step) {
  io::Json j = config;
  j["peft_type"] = "ADALORA";
  if (!j.contains("total_step") || j.at("total_step").is_null()) j["total_step"] = total_step;
  if (j.contains("importance_score")) j["adalora_importance_score"] = j.at("importance_score");
  if (j.contains("orth_reg_form")) j["adalora_orth_reg_form"] = j.at("orth_reg_form");
  return attach_adalora(model, AdaLoraConfig::from_peft_json(j, "adalora config"));
}

MethodPtr make_lora(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_lora(model, LoraConfig::from_peft_json(config, "lora config"));
}

MethodPtr make_full(torch::nn::Module& model, const io::Json&, int64_t) {
  return attach_full_finetuning(model);
}

MethodPtr make_bitfit(torch::nn::Module& model, const io::Json& config, int64_t) {
  return attach_bitfit(model, modules_to_save_of(config));
}

struct Entry {
  const char* name;
  std::function<MethodPtr(torch::nn::Module&, const io::Json&, int64_t)> make;
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      // name       attach
      {"adalora", make_adalora},
      {"lora", make_lora},
      {"full", make_full},
      {"bitfit", make_bitfit},
  };
  return entries;
}

}  // namespace

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& e : table()) names.push_back(e.name);
  return names;
}

MethodPtr make_method(const std::string& name, torch::nn::Module& model, const io::Json& config,
                      int64_t total_step) {
  for (const auto& e : table()) {
    if (name == e.name) return e.make(model, config.is_null() ? io::Json::object() : config, total_step);
  }
  std::string known;
  for (const auto& n : method_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error(str_cat("method: expected one of ", known, ", got \"", name, "\""));
}

}  // namespace adalora::peft
