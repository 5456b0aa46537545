// Which linear layers a PEFT method adapts, with PEFT's semantics (peft/tuners/tuners_utils.py
// check_target_module_exists): a list of names matches a module path that equals a name or ends
// with "." + name; a regex must match the whole path (re.fullmatch). A module inside a
// modules_to_save module is never adapted (PEFT: adapters on a saved copy would conflict), and
// layers_to_transform restricts a list of names to the numbered layers given.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/nn/linear.h"

namespace adalora::peft {

struct TargetSpec {
  std::vector<std::string> names;     ///< suffix match on module paths, e.g. {"query", "value"}
  std::optional<std::string> regex;   ///< full-match regex; used instead of `names` when set
  std::vector<std::string> exclude;   ///< same suffix rule; an excluded path is never adapted
  /// PEFT layers_to_transform: with `names`, only modules whose first "<pattern>.<N>." segment has
  /// N in this list (empty = every layer). Ignored with a regex, as PEFT does.
  std::vector<int64_t> layers_to_transform;
  /// PEFT layers_pattern: the module-list names that carry the layer index ("layer", "h"); empty =
  /// the first numbered segment of the path.
  std::vector<std::string> layers_pattern;
  /// The method's modules_to_save: a path with one of them as a component sequence
  /// (PEFT: `(^|.*\.)name($|\..*)`) is never adapted.
  std::vector<std::string> modules_to_save;
};

/// True when `module_path` is selected by `spec` (PEFT's rules).
bool is_target(const std::string& module_path, const TargetSpec& spec);

/// Reads PEFT's target_modules, exclude_modules, layers_to_transform (int or list) and
/// layers_pattern (string or list) of an adapter_config.json; `source` names the file in errors.
TargetSpec target_spec_from_peft_json(const io::JsonObject& config);
/// Writes those four fields as PEFT does (null when unset).
void write_target_spec(const TargetSpec& spec, io::Json* config);

/// Every nn::Linear of `model` selected by `spec`, in named_modules() order (= PEFT's
/// named_parameters order). Throws Error when nothing matches (naming the targets and a few of the
/// model's linear layers) or when a matched module is not an nn::Linear.
std::vector<std::pair<std::string, std::shared_ptr<nn::LinearImpl>>> find_targets(
    torch::nn::Module& model, const TargetSpec& spec);

/// Parameters of the modules whose path matches one of `names` (PEFT `modules_to_save`, same
/// suffix rule), set trainable, each once, adapter tensors (".lora_*") excluded. As PEFT, a name
/// that matches nothing is skipped (PEFT's SEQ_CLS adds both "classifier" and "score"); Error only
/// when no name matches any module.
std::vector<std::pair<std::string, torch::Tensor>> collect_modules_to_save(
    torch::nn::Module& model, const std::vector<std::string>& names);

}  // namespace adalora::peft
