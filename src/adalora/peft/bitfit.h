// BitFit (Ben Zaken et al., 2021), the paper's "BitFit" baseline: only the biases train (plus
// modules_to_save, e.g. the classifier); the output folder is a model.safetensors of those tensors
// (peft/selected_parameters.h).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// Freezes everything but the parameters named "*.bias" and modules_to_save. Error when the
/// model has no bias.
MethodPtr attach_bitfit(torch::nn::Module& model, const std::vector<std::string>& modules_to_save);

/// The registry's maker: reads modules_to_save from `config`.
MethodPtr make_bitfit(torch::nn::Module& model, const io::Json& config, int64_t total_step);

}  // namespace adalora::peft
