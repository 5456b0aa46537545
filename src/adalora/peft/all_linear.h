// PEFT's "all-linear" shorthand for target_modules (peft/tuners/tuners_utils.py
// _maybe_include_all_linear_layers, INCLUDE_LINEAR_LAYERS_SHORTHAND): every linear layer — our
// nn::Linear, which is also GPT-2's Conv1D — by its last name component, minus the model's output
// layer (`lm_head`). The names then match by PEFT's suffix rule (peft/targets.h), as PEFT writes
// them into adapter_config.json.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::peft {

/// True when `target_modules` is the string "all-linear" in any letter case (PEFT compares
/// lower-cased).
bool is_all_linear(const io::Json& target_modules);

/// The sorted distinct last components of every nn::Linear's path in `model`, without the
/// top-level module `output_layer`'s name when it is a linear layer. Throws Error when the model
/// has no other linear layer.
std::vector<std::string> all_linear_target_names(torch::nn::Module& model,
                                                 const std::string& output_layer = "lm_head");

}  // namespace adalora::peft
