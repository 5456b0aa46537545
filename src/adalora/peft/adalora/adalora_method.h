// AdaLoRA behind the common peft::Method contract (for the trainer and the CLI).
#pragma once

#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// Attaches AdaLoRA (config validated) and wraps it as a Method.
MethodPtr attach_adalora(torch::nn::Module& model, const AdaLoraConfig& config);

/// The AdaLora handle inside a Method made by attach_adalora, or nullptr for other methods.
AdaLora* as_adalora(Method& method);

}  // namespace adalora::peft
