// Pruned LoRA (paper Table 4, "structured pruning of LoRA"): LoRA (peft/lora.h) at an initial
// rank r whose doublets — column i of B with row i of A — are scored with AdaLoRA's importance
// (peft/adalora/importance.h, eq. (8)–(11)) and pruned to AdaLoRA's budget schedule
// (peft/adalora/budget_schedule.h, eq. (12)); a pruned doublet is zeroed entirely (A[i, :] = 0,
// B[:, i] = 0) and kept at zero after every later optimizer step.
//
//   doublet score  S_i = mean_j s(A_ij) + mean_j s(B_ji)      (eq. (7) without the λ term)
//   mask: at the schedule's mask steps, zero every doublet with S_i ≤ the k-th smallest score over
//         all matrices, k = b(0) − b(t), b(0) = Σ r, b(T) = target_r × matrices (ties pruned together)
//
// The "magnitude" score has no λ here and is refused. Saved as a plain PEFT LoRA adapter
// (peft_type "LORA"): each matrix at its kept rank r_k via rank_pattern (a matrix pruned to 0 is
// stored as one zero doublet, PEFT needs r ≥ 1) and alpha_pattern α·r_k/r so that the scale α/r
// is unchanged; it reloads with load_lora (or PEFT) to the same outputs.
#pragma once

#include <torch/torch.h>

#include "adalora/io/json.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

struct PrunedLoraConfig {
  LoraConfig lora;  ///< r = the initial rank of every matrix
  int64_t target_r = 4;
  int64_t tinit = 0;
  int64_t tfinal = 0;
  int64_t deltaT = 1;
  int64_t total_step = 0;
  double beta1 = 0.85;
  double beta2 = 0.85;
  ImportanceScore score = ImportanceScore::SensitivityUncertainty;

  /// LoRA's keys plus target_r, tinit, tfinal, deltaT, beta1, beta2, importance_score,
  /// total_step; validated with AdaLoRA's schedule rules (target_r < r, a budgeting phase, …).
  static PrunedLoraConfig from_json(const io::Json& json, const std::string& source);
  void validate(const std::string& where) const;
};

/// Attaches LoRA; after_optimizer_step updates the importance and prunes doublets by the schedule.
MethodPtr attach_pruned_lora(torch::nn::Module& model, const PrunedLoraConfig& config);

/// The registry's maker: total_step defaults to the run's.
MethodPtr make_pruned_lora(torch::nn::Module& model, const io::Json& config, int64_t total_step);

}  // namespace adalora::peft
