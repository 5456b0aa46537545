#include "adalora/peft/adalora/importance.h"

namespace adalora::peft {

void update_importance(ImportanceState& state, const torch::Tensor& param, const torch::Tensor& grad,
                       double beta1, double beta2) {
  torch::NoGradGuard no_grad;
  if (!state.defined()) {
    state.ipt = torch::zeros_like(param);
    state.exp_avg_ipt = torch::zeros_like(param);
    state.exp_avg_unc = torch::zeros_like(param);
  }
  // Same operations in the same order as PEFT, so float64 results agree to the last bits:
  //   ipt = (p * grad).abs(); exp_avg_ipt = beta1 * exp_avg_ipt + (1 - beta1) * ipt;
  //   exp_avg_unc = beta2 * exp_avg_unc + (1 - beta2) * (ipt - exp_avg_ipt).abs()
  torch::mul_out(state.ipt, param, grad).abs_();
  state.exp_avg_ipt.mul_(beta1).add_(state.ipt * (1.0 - beta1));
  state.exp_avg_unc.mul_(beta2).add_((state.ipt - state.exp_avg_ipt).abs_() * (1.0 - beta2));
}

torch::Tensor element_score(const ImportanceState& state, ImportanceScore score) {
  if (score == ImportanceScore::Sensitivity) return state.exp_avg_ipt;
  return state.exp_avg_ipt * state.exp_avg_unc;
}

}  // namespace adalora::peft
