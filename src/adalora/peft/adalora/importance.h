// Importance of adapter entries (paper §3.2, eq. (8)–(11); PEFT RankAllocator.update_ipt, §6):
//
//   I = |w · ∇w|                         sensitivity of each entry
//   Ī ← β₁ Ī + (1 − β₁) I                eq. (8)  smoothed sensitivity
//   Ū ← β₂ Ū + (1 − β₂) |I − Ī|          eq. (9)  uncertainty, with the Ī just updated
//   s = Ī · Ū                            eq. (11) element score
//
// As in PEFT, w is the parameter after the optimizer step and ∇w the gradient that step used.
#pragma once

#include <torch/torch.h>

#include "adalora/peft/adalora/config.h"

namespace adalora::peft {

/// EMA state of one adapter tensor (same shape as the tensor).
struct ImportanceState {
  torch::Tensor ipt;          ///< I of the last update
  torch::Tensor exp_avg_ipt;  ///< Ī
  torch::Tensor exp_avg_unc;  ///< Ū

  bool defined() const { return exp_avg_ipt.defined(); }
};

/// One update of eq. (8)–(9); state tensors start at zero on first use.
void update_importance(ImportanceState& state, const torch::Tensor& param, const torch::Tensor& grad,
                       double beta1, double beta2);

/// Element score s of eq. (11) (or Ī alone for the sensitivity ablation).
torch::Tensor element_score(const ImportanceState& state, ImportanceScore score);

}  // namespace adalora::peft
