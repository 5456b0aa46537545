#include "adalora/peft/bitfit.h"

#include "adalora/core/error.h"
#include "adalora/peft/selected_parameters.h"
#include "adalora/peft/targets.h"

namespace adalora::peft {

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
  return selected_parameters_method("bitfit", std::move(params));
}

MethodPtr make_bitfit(torch::nn::Module& model, const io::Json& config, int64_t) {
  std::vector<std::string> modules_to_save;
  if (config.contains("modules_to_save") && !config.at("modules_to_save").is_null()) {
    modules_to_save = io::JsonObject(config, "bitfit config").get<std::vector<std::string>>("modules_to_save");
  }
  return attach_bitfit(model, modules_to_save);
}

}  // namespace adalora::peft
