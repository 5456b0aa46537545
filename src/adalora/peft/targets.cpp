#include "adalora/peft/targets.h"

#include <regex>
#include <set>

#include "adalora/core/error.h"

namespace adalora::peft {
namespace {

bool ends_with_component(const std::string& path, const std::string& name) {
  if (path == name) return true;
  return path.size() > name.size() &&
         path.compare(path.size() - name.size(), name.size(), name) == 0 &&
         path[path.size() - name.size() - 1] == '.';
}

bool matches_any(const std::string& path, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (ends_with_component(path, n)) return true;
  }
  return false;
}

std::string describe(const TargetSpec& spec) {
  if (spec.regex) return str_cat("regex \"", *spec.regex, "\"");
  std::string out = "[";
  for (size_t i = 0; i < spec.names.size(); ++i) out += (i ? ", \"" : "\"") + spec.names[i] + "\"";
  return out + "]";
}

}  // namespace

bool is_target(const std::string& module_path, const TargetSpec& spec) {
  if (matches_any(module_path, spec.exclude)) return false;
  if (spec.regex) return std::regex_match(module_path, std::regex(*spec.regex));
  return matches_any(module_path, spec.names);
}

std::vector<std::pair<std::string, std::shared_ptr<nn::LinearImpl>>> find_targets(
    torch::nn::Module& model, const TargetSpec& spec) {
  ADALORA_CHECK(spec.regex || !spec.names.empty(),
                "target_modules: expected at least one module name or a regex, got none");
  if (spec.regex) {
    try {
      std::regex check(*spec.regex);
    } catch (const std::regex_error& e) {
      throw Error(str_cat("target_modules: invalid regex \"", *spec.regex, "\": ", e.what()));
    }
  }
  const std::regex pattern(spec.regex.value_or(""));
  std::vector<std::pair<std::string, std::shared_ptr<nn::LinearImpl>>> found;
  std::vector<std::string> linear_paths;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    const std::string& path = item.key();
    auto linear = std::dynamic_pointer_cast<nn::LinearImpl>(item.value());
    if (linear) linear_paths.push_back(path);
    if (matches_any(path, spec.exclude)) continue;
    const bool hit = spec.regex ? std::regex_match(path, pattern) : matches_any(path, spec.names);
    if (!hit) continue;
    if (!linear) {
      // PEFT raises for matched modules it cannot adapt; containers matched by a suffix are the
      // usual cause (e.g. "output" matching BertOutput), so say which.
      throw Error(str_cat("target_modules: ", describe(spec), " selects \"", path,
                          "\", which is a ", item.value()->name(),
                          ", not an adalora::nn::Linear; name the linear layer inside it"));
    }
    found.emplace_back(path, linear);
  }
  if (found.empty()) {
    std::string examples;
    for (size_t i = 0; i < linear_paths.size() && i < 6; ++i) examples += "\n  " + linear_paths[i];
    throw Error(str_cat("target_modules: ", describe(spec), " matches no linear layer of the model (",
                        linear_paths.size(), " linear layers", linear_paths.empty() ? "" : ", e.g.:",
                        examples, ")"));
  }
  return found;
}

std::vector<std::pair<std::string, torch::Tensor>> collect_modules_to_save(
    torch::nn::Module& model, const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  std::set<std::string> seen;
  for (const auto& wanted : names) {
    bool found = false;
    for (const auto& item : model.named_modules("", /*include_self=*/false)) {
      if (!ends_with_component(item.key(), wanted)) continue;
      found = true;
      for (const auto& p : item.value()->named_parameters(/*recurse=*/true)) {
        const std::string name = item.key() + "." + p.key();
        // Adapter tensors belong to the method, not to the saved module.
        if (name.find(".lora_") != std::string::npos || !seen.insert(name).second) continue;
        p.value().set_requires_grad(true);
        out.emplace_back(name, p.value());
      }
    }
    ADALORA_CHECK(found, "modules_to_save: \"", wanted, "\" matches no module of the model");
  }
  return out;
}

}  // namespace adalora::peft
