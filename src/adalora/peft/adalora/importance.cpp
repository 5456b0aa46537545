#include "adalora/peft/adalora/importance.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <cmath>

namespace adalora::peft {
namespace {

// Reference: the PEFT operations one by one (about ten kernels and three temporaries per tensor).
void update_reference(ImportanceState& state, const torch::Tensor& param, const torch::Tensor& grad,
                      double beta1, double beta2) {
  // Same operations in the same order as PEFT, so float64 results agree to the last bits:
  //   ipt = (p * grad).abs(); exp_avg_ipt = beta1 * exp_avg_ipt + (1 - beta1) * ipt;
  //   exp_avg_unc = beta2 * exp_avg_unc + (1 - beta2) * (ipt - exp_avg_ipt).abs()
  torch::mul_out(state.ipt, param, grad).abs_();
  state.exp_avg_ipt.mul_(beta1).add_(state.ipt * (1.0 - beta1));
  state.exp_avg_unc.mul_(beta2).add_((state.ipt - state.exp_avg_ipt).abs_() * (1.0 - beta2));
}

bool fusable(const ImportanceState& s, const torch::Tensor& param, const torch::Tensor& grad) {
  const auto t = param.scalar_type();
  if (t != torch::kFloat32 && t != torch::kFloat64) return false;
  for (const auto* x : {&param, &grad, &s.ipt, &s.exp_avg_ipt, &s.exp_avg_unc}) {
    if (!x->device().is_cpu() || !x->is_contiguous() || x->scalar_type() != t ||
        x->numel() != param.numel()) {
      return false;
    }
  }
  return true;
}

// One pass over the five arrays with the reference's arithmetic element by element: the scalars
// are rounded to the tensor's type as ATen does for a Python-number operand, each product and sum
// is rounded on its own (the build targets no FMA, so nothing is contracted), so the result is
// bit-identical to update_reference.
template <typename T>
void update_fused(T* ipt, T* avg, T* unc, const T* p, const T* g, int64_t n, double beta1,
                  double beta2) {
  const T b1 = static_cast<T>(beta1), c1 = static_cast<T>(1.0 - beta1);
  const T b2 = static_cast<T>(beta2), c2 = static_cast<T>(1.0 - beta2);
  at::parallel_for(0, n, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T s = std::abs(p[i] * g[i]);
      const T a = avg[i] * b1 + s * c1;
      ipt[i] = s;
      avg[i] = a;
      unc[i] = unc[i] * b2 + std::abs(s - a) * c2;
    }
  });
}

}  // namespace

void update_importance(ImportanceState& state, const torch::Tensor& param, const torch::Tensor& grad,
                       double beta1, double beta2) {
  torch::NoGradGuard no_grad;
  if (!state.defined()) {
    state.ipt = torch::zeros_like(param);
    state.exp_avg_ipt = torch::zeros_like(param);
    state.exp_avg_unc = torch::zeros_like(param);
  }
  if (!fusable(state, param, grad)) {
    update_reference(state, param, grad, beta1, beta2);
    return;
  }
  AT_DISPATCH_FLOATING_TYPES(param.scalar_type(), "update_importance", [&] {
    update_fused<scalar_t>(state.ipt.data_ptr<scalar_t>(), state.exp_avg_ipt.data_ptr<scalar_t>(),
                           state.exp_avg_unc.data_ptr<scalar_t>(), param.data_ptr<scalar_t>(),
                           grad.data_ptr<scalar_t>(), param.numel(), beta1, beta2);
  });
}

torch::Tensor element_score(const ImportanceState& state, ImportanceScore score) {
  if (score == ImportanceScore::Sensitivity) return state.exp_avg_ipt;
  return state.exp_avg_ipt * state.exp_avg_unc;
}

}  // namespace adalora::peft
