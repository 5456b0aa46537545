#include "adalora/nn/batched_matmul.h"

#include "adalora/core/error.h"

namespace adalora::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::Tensor batched_mm(const torch::Tensor& a, const torch::Tensor& b) {
  auto out = torch::empty({a.size(0), a.size(1), b.size(2)}, a.options());
  for_each_matrix(a.size(0), [&](int64_t i) { mm_into(out[i], a[i], b[i]); });
  return out;
}

struct BatchedMatmulFunction : torch::autograd::Function<BatchedMatmulFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& a, const torch::Tensor& b) {
    ctx->save_for_backward({a, b});
    return batched_mm(a, b);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto a = saved[0].detach(), b = saved[1].detach();
    const auto g = grad_outputs[0];
    torch::Tensor da, db;
    if (ctx->needs_input_grad(0)) da = batched_mm(g, b.transpose(1, 2));
    if (ctx->needs_input_grad(1)) db = batched_mm(a.transpose(1, 2), g);
    return {da, db};
  }
};

}  // namespace

torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b) {
  ADALORA_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1),
                "batched_matmul: expected [N, M, K] and [N, K, P], got ", a.sizes(), " and ", b.sizes());
  const auto t = a.scalar_type();
  if (!a.device().is_cpu() || t != b.scalar_type() || (t != torch::kFloat32 && t != torch::kFloat64)) {
    return torch::bmm(a, b);
  }
  return BatchedMatmulFunction::apply(a, b);
}

}  // namespace adalora::nn
