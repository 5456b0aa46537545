// The supported architectures: one explicit table {model_type, builder, default PEFT targets}
// (registry.cpp). build_model() in model.h dispatches through it.
#pragma once

#include <string>
#include <vector>

#include "adalora/models/model.h"

namespace adalora::models {

using ModelBuilder = ModelPtr (*)(const HfConfig& config, TaskHead head);

struct Architecture {
  std::string model_type;                   ///< config.json "model_type"
  ModelBuilder build = nullptr;             ///< random init as HF's _init_weights
  std::vector<std::string> default_targets; ///< PEFT's default target_modules for this model_type
};

/// The table, validated on first use (unique names, non-null builders).
const std::vector<Architecture>& architectures();

/// The entry for `model_type`; throws "<source>: model_type \"x\" is not supported (supported: ...)".
const Architecture& find_architecture(const std::string& model_type,
                                      const std::string& source = "config.json");

}  // namespace adalora::models
