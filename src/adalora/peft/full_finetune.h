// Full fine-tuning, the paper's "Full FT" baseline: every parameter of the model trains; the
// output folder is a model.safetensors of all of them (peft/selected_parameters.h).
#pragma once

#include <torch/torch.h>

#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// Marks every parameter of `model` trainable.
MethodPtr attach_full_finetuning(torch::nn::Module& model);

/// The registry's maker (the configuration has no keys of its own).
MethodPtr make_full_finetuning(torch::nn::Module& model, const io::Json& config, int64_t total_step);

}  // namespace adalora::peft
