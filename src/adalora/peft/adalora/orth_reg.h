// The orthogonal regulariser R(P, Q) that keeps P and Q near-orthogonal (paper eq. (4); reference §4).
//
//   PEFT (default):  R = (1/N) Σ_{A} ‖A Aᵀ − I‖_F + (1/N) Σ_{B} ‖Bᵀ B − I‖_F,  N = 2 × matrices
//   paper:           R = Σ_k ‖PᵀP − I‖²_F + ‖QQᵀ − I‖²_F
//
// All r rows/columns count, masked triplets included; a rank-0 matrix contributes 0 but counts in
// N. At exactly orthonormal factors the unsquared norm's gradient is 0 (as PyTorch's), not NaN.
// Matrices of equal shape are batched into one bmm.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "adalora/peft/adalora/config.h"
#include "adalora/peft/adalora/svd_adapter.h"

namespace adalora::peft {

/// R(P, Q) over `adapters` (without the weight γ): a 0-dim tensor with gradient.
torch::Tensor orthogonal_regularizer(const std::vector<std::shared_ptr<SvdAdapter>>& adapters,
                                     OrthRegForm form = OrthRegForm::PeftMean);

/// The same over factor pairs given as tensors — rows[k] [r_k, in_k] (A Aᵀ), columns[k]
/// [out_k, r_k] (Bᵀ B), one pair per matrix (LoRA-regu uses LoRA's A and B). N = 2 × pairs.
torch::Tensor orthogonal_regularizer(const std::vector<torch::Tensor>& rows,
                                     const std::vector<torch::Tensor>& columns,
                                     OrthRegForm form = OrthRegForm::PeftMean);

/// How far P and Q are from orthogonal, as the paper's Figure 4 plots it, summed over `adapters`:
/// p = Σ_k ‖P_kᵀP_k − I‖²_F (P = lora_B, [out, r]), q = Σ_k ‖Q_kQ_kᵀ − I‖²_F (Q = lora_A, [r, in]).
/// All r rows/columns count, as in the regulariser. A measurement: no gradient.
struct OrthogonalityDeviation {
  double p = 0;
  double q = 0;
};
OrthogonalityDeviation orthogonality_deviation(const std::vector<std::shared_ptr<SvdAdapter>>& adapters);

}  // namespace adalora::peft
