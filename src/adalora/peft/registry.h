// PEFT methods by name: an explicit table (registry.cpp), one line per method.
#pragma once

#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// Attaches method `name` to `model` with its configuration `config` (PEFT-style keys, e.g.
/// init_r, target_r, target_modules for "adalora"; r, lora_alpha for "lora"). `total_step` is the
/// number of optimizer steps of the run (AdaLoRA's schedule needs it). Error for unknown names
/// lists the known ones.
MethodPtr make_method(const std::string& name, torch::nn::Module& model, const io::Json& config,
                      int64_t total_step);

/// The registered method names.
std::vector<std::string> method_names();

}  // namespace adalora::peft
