// AdaLoRA behind the common peft::Method contract (for the trainer and the CLI).
#pragma once

#include "adalora/peft/adalora/adalora.h"
#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// Attaches AdaLoRA (config validated) and wraps it as a Method ("adalora", or "svd_lora" when
/// config.budget_allocation is off).
MethodPtr attach_adalora(torch::nn::Module& model, const AdaLoraConfig& config);

/// The registry's maker: PEFT's AdaLoRA keys, plus importance_score / orth_reg_form;
/// total_step defaults to the run's.
MethodPtr make_adalora(torch::nn::Module& model, const io::Json& config, int64_t total_step);

/// Loads a (pruned) AdaLoRA adapter folder as a Method with a fixed pattern (AdaLora::load).
MethodPtr load_adalora_method(torch::nn::Module& model, const std::string& dir);

/// The AdaLora handle inside a Method made by attach_adalora, or nullptr for other methods.
AdaLora* as_adalora(Method& method);

}  // namespace adalora::peft
