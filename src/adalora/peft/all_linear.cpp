// "all-linear" → the model's linear layer names (see all_linear.h).
#include "adalora/peft/all_linear.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "adalora/core/error.h"
#include "adalora/nn/linear.h"

namespace adalora::peft {

bool is_all_linear(const io::Json& target_modules) {
  if (!target_modules.is_string()) return false;
  std::string s = target_modules.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "all-linear";
}

std::vector<std::string> all_linear_target_names(torch::nn::Module& model,
                                                 const std::string& output_layer) {
  std::set<std::string> names;
  bool has_output_layer = false;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    if (dynamic_cast<nn::LinearImpl*>(item.value().get()) == nullptr) continue;
    const std::string& path = item.key();
    if (path == output_layer) {
      has_output_layer = true;
      continue;
    }
    names.insert(path.substr(path.rfind('.') + 1));  // npos + 1 = 0: the whole path
  }
  // PEFT removes the output layer's name from the set, even where inner layers share it.
  if (has_output_layer) names.erase(output_layer);
  ADALORA_CHECK(!names.empty(), "target_modules: all-linear: expected linear layers besides the ",
                "output layer \"", output_layer, "\", got none");
  return {names.begin(), names.end()};
}

}  // namespace adalora::peft
