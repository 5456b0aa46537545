#include "adalora/peft/targets.h"

#include <algorithm>
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

// PEFT's check_target_module_exists: a modules_to_save path (or anything inside it) is never a target.
bool inside_modules_to_save(const std::string& path, const std::vector<std::string>& names) {
  for (const auto& m : names) {
    if (std::regex_match(path, std::regex("(^|.*\\.)" + m + "($|\\..*)"))) return true;
  }
  return false;
}

// PEFT's layers_to_transform rule: the first "<pattern>.<N>." segment of the path gives the layer.
bool in_selected_layer(const std::string& path, const TargetSpec& spec) {
  if (spec.layers_to_transform.empty()) return true;
  std::vector<std::string> patterns;
  if (spec.layers_pattern.empty()) {
    patterns.push_back("^.*?\\.[^.]*\\.(\\d+)\\.");
  } else {
    for (const auto& p : spec.layers_pattern) patterns.push_back("^.*?\\." + p + "\\.(\\d+)\\.");
  }
  for (const auto& p : patterns) {
    std::smatch m;
    if (!std::regex_search(path, m, std::regex(p))) continue;
    const int64_t layer = std::stoll(m[1].str());
    return std::find(spec.layers_to_transform.begin(), spec.layers_to_transform.end(), layer) !=
           spec.layers_to_transform.end();
  }
  return false;
}

// One module path against the spec (regex compiled once by the caller).
bool selected(const std::string& path, const TargetSpec& spec, const std::regex& pattern) {
  if (matches_any(path, spec.exclude) || inside_modules_to_save(path, spec.modules_to_save)) return false;
  if (spec.regex) return std::regex_match(path, pattern);
  for (const auto& n : spec.names) {
    if (path == n) return true;  // named directly: PEFT skips the layer rule
  }
  return matches_any(path, spec.names) && in_selected_layer(path, spec);
}

std::string describe(const TargetSpec& spec) {
  if (spec.regex) return str_cat("regex \"", *spec.regex, "\"");
  std::string out = "[";
  for (size_t i = 0; i < spec.names.size(); ++i) out += (i ? ", \"" : "\"") + spec.names[i] + "\"";
  return out + "]";
}

}  // namespace

bool is_target(const std::string& module_path, const TargetSpec& spec) {
  return selected(module_path, spec, std::regex(spec.regex.value_or("")));
}

namespace {

// A PEFT field that is either one value or a list of them.
template <typename T>
std::vector<T> one_or_list(const io::JsonObject& o, const std::string& field) {
  if (!o.has(field) || o.is_null(field)) return {};
  if (o.raw(field).is_array()) return o.get<std::vector<T>>(field);
  return {o.get<T>(field)};
}

template <typename T>
io::Json list_or_null(const std::vector<T>& v) {
  return v.empty() ? io::Json(nullptr) : io::Json(v);
}

}  // namespace

TargetSpec target_spec_from_peft_json(const io::JsonObject& o) {
  TargetSpec spec;
  if (o.has("target_modules") && !o.is_null("target_modules")) {
    if (o.raw("target_modules").is_string()) {
      spec.regex = o.get<std::string>("target_modules");
    } else {
      spec.names = o.get<std::vector<std::string>>("target_modules");
    }
  }
  spec.exclude = one_or_list<std::string>(o, "exclude_modules");
  spec.layers_to_transform = one_or_list<int64_t>(o, "layers_to_transform");
  spec.layers_pattern = one_or_list<std::string>(o, "layers_pattern");
  return spec;
}

void write_target_spec(const TargetSpec& spec, io::Json* config) {
  auto& j = *config;
  j["target_modules"] = spec.regex ? io::Json(*spec.regex) : io::Json(spec.names);
  j["exclude_modules"] = list_or_null(spec.exclude);
  j["layers_to_transform"] = list_or_null(spec.layers_to_transform);
  j["layers_pattern"] = list_or_null(spec.layers_pattern);
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
    if (!selected(path, spec, pattern)) continue;
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
  bool found = false;
  for (const auto& wanted : names) {
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
  }
  if (!names.empty() && !found) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
    throw Error(str_cat("modules_to_save: none of [", list, "] matches a module of the model"));
  }
  return out;
}

}  // namespace adalora::peft
