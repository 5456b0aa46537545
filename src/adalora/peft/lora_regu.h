// LoRA-regu (paper Table 5): LoRA (peft/lora.h) trained with AdaLoRA's orthogonal regulariser on
// its factors, R = Σ_k ‖A_k A_kᵀ − I‖ + ‖B_kᵀ B_k − I‖ in PEFT's form (mean of unsquared Frobenius
// norms) or the paper's (sum of squares), weight γ (peft/adalora/orth_reg.h). It differs from LoRA
// only in the loss: it saves a plain PEFT LoRA adapter (peft_type "LORA", loaded by load_lora).
#pragma once

#include <torch/torch.h>

#include "adalora/io/json.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

struct LoraReguConfig {
  LoraConfig lora;
  double orth_reg_weight = AdaLoraConfig{}.orth_reg_weight;  ///< γ, as AdaLoRA's default
  OrthRegForm orth_reg_form = OrthRegForm::PeftMean;

  /// LoRA's keys plus orth_reg_weight (≥ 0) and orth_reg_form ("peft" / "paper"); validated.
  static LoraReguConfig from_json(const io::Json& json, const std::string& source);
};

/// Attaches LoRA and adds γ·R(A, B) in add_regularizer.
MethodPtr attach_lora_regu(torch::nn::Module& model, const LoraReguConfig& config);

/// The registry's maker.
MethodPtr make_lora_regu(torch::nn::Module& model, const io::Json& config, int64_t total_step);

}  // namespace adalora::peft
