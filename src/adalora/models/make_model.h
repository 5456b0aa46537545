// The last step of every build_<arch> (models/registry.cpp): construct the architecture's model,
// initialise it as HF's _init_weights, and record its state keys for loading and saving.
#pragma once

#include <memory>
#include <utility>

#include "adalora/models/model.h"

namespace adalora::models {

/// `M(args…)` initialised (Model::init_weights) with its state keys recorded
/// (Model::record_state_keys).
template <typename M, typename... Args>
ModelPtr make_model(Args&&... args) {
  auto model = std::make_shared<M>(std::forward<Args>(args)...);
  model->init_weights();
  model->record_state_keys();
  return model;
}

}  // namespace adalora::models
