// Which linear layers a PEFT method adapts, with PEFT's semantics (peft/tuners/tuners_utils.py
// check_target_module_exists): a list of names matches a module path that equals a name or ends
// with "." + name; a regex must match the whole path (re.fullmatch).
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/nn/linear.h"

namespace adalora::peft {

struct TargetSpec {
  std::vector<std::string> names;     ///< suffix match on module paths, e.g. {"query", "value"}
  std::optional<std::string> regex;   ///< full-match regex; used instead of `names` when set
  std::vector<std::string> exclude;   ///< same suffix rule; an excluded path is never adapted
};

/// True when `module_path` is selected by `spec` (PEFT's rules).
bool is_target(const std::string& module_path, const TargetSpec& spec);

/// Every nn::Linear of `model` selected by `spec`, in named_modules() order (= PEFT's
/// named_parameters order). Throws Error when nothing matches (naming the targets and a few of the
/// model's linear layers) or when a matched module is not an nn::Linear.
std::vector<std::pair<std::string, std::shared_ptr<nn::LinearImpl>>> find_targets(
    torch::nn::Module& model, const TargetSpec& spec);

/// Parameters of the modules whose path matches one of `names` (PEFT `modules_to_save`, same
/// suffix rule), set trainable, each once, adapter tensors (".lora_*") excluded. Error when a name
/// matches no module.
std::vector<std::pair<std::string, torch::Tensor>> collect_modules_to_save(
    torch::nn::Module& model, const std::vector<std::string>& names);

}  // namespace adalora::peft
