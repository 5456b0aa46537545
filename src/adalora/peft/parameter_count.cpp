#include "adalora/peft/parameter_count.h"

#include <set>

namespace adalora::peft {
namespace {

// True when tensor `name` lies inside a module whose path is `head` or ends with ".head".
bool in_head(const std::string& name, const std::vector<std::string>& heads) {
  for (const auto& h : heads) {
    if (name.rfind(h + ".", 0) == 0 || name.find("." + h + ".") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

PaperParameterCount paper_parameter_count(const Method& method, torch::nn::Module& model,
                                          const std::vector<std::string>& head_modules) {
  int64_t head_trained = 0;
  std::set<std::string> trained;
  for (const auto& [name, t] : method.trainable()) {
    trained.insert(name);
    if (in_head(name, head_modules)) head_trained += t.numel();
  }
  PaperParameterCount c;
  for (const auto& p : model.named_parameters()) {
    if (in_head(p.key(), head_modules)) continue;
    // Adapter tensors are registered on the model too; a method that trains the model's own
    // parameters (Full FT, BitFit) adds none.
    if (!method.trains_base_parameters() && trained.count(p.key())) continue;
    c.base_parameters += p.value().numel();
  }
  c.method_parameters = method.kept_parameter_count() - head_trained;
  return c;
}

}  // namespace adalora::peft
