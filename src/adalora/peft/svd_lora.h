// SVD-LoRA (paper Table 5): AdaLoRA's P·Λ·Q layer (peft/adalora/svd_adapter.h) with the orthogonal
// regulariser but no budget allocation — every matrix keeps rank r for the whole run, the
// importance scores are never computed. It is AdaLoRA with AdaLoraConfig::budget_allocation off
// (init_r = target_r = r), saved as a PEFT AdaLoRA adapter without rank_pattern plus
// "adalora_budget_allocation": false, and loaded back by the "adalora" row (AdaLora::load).
#pragma once

#include <torch/torch.h>

#include "adalora/io/json.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// The AdaLoraConfig of SVD-LoRA from run keys: r (→ init_r, target_r), lora_alpha,
/// lora_dropout, orth_reg_weight, orth_reg_form, target_modules (and PEFT's target keys).
AdaLoraConfig svd_lora_config(const io::Json& json, const std::string& source);

/// The registry's maker.
MethodPtr make_svd_lora(torch::nn::Module& model, const io::Json& config, int64_t total_step);

}  // namespace adalora::peft
