// The output format shared by the methods that train the model's own parameters (full
// fine-tuning, BitFit): a `model.safetensors` holding the trained tensors under their model names,
// with metadata {"format": "pt", "adalora_method": "<name>"}. Loading replaces each named
// parameter; nothing is attached.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "adalora/peft/method.h"

namespace adalora::peft {

/// The metadata key of model.safetensors that names the method ("full" / "bitfit") that wrote it.
inline constexpr const char* kMethodMetadataKey = "adalora_method";

/// A Method that trains `params` (already marked requires_grad) and saves them as above.
MethodPtr selected_parameters_method(const char* name, std::vector<std::pair<std::string, torch::Tensor>> params);

/// Loads the model.safetensors of a full fine-tuning / BitFit output folder into `model` (each
/// tensor replaces the parameter of the same name). Error naming the file and tensor for a name
/// that is not a parameter of the model or a shape mismatch.
MethodPtr load_selected_parameters(torch::nn::Module& model, const std::string& dir, bool trainable = false);

}  // namespace adalora::peft
