#include "adalora/nn/low_rank_linear.h"

#include "adalora/core/error.h"

namespace adalora::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Inputs: x [N, in], W [out, in], b [out], A [r, in], B [out, r], xa [N, in]; low_rank_linear()
// flattens leading dimensions. LibTorch 1.13's Function::apply cannot take undefined tensors, so a
// missing bias or adapter input arrives as an empty placeholder with its flag false.
struct LowRankLinearFunction : torch::autograd::Function<LowRankLinearFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& W,
                               const torch::Tensor& b, const torch::Tensor& A, const torch::Tensor& B,
                               const torch::Tensor& xa, double scale, bool has_bias, bool has_input) {
    const auto& in = has_input ? xa : x;
    auto t = torch::mm(in, A.t());                                  // [N, r]
    auto y = has_bias ? torch::addmm(b, x, W.t()) : torch::mm(x, W.t());
    y.addmm_(t, B.t(), /*beta=*/1, /*alpha=*/scale);                // y += scale · t Bᵀ
    ctx->save_for_backward({x, W, A, B, xa, t});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["has_bias"] = has_bias;
    ctx->saved_data["has_input"] = has_input;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &W = saved[1], &A = saved[2], &B = saved[3], &xa = saved[4], &t = saved[5];
    const double scale = ctx->saved_data["scale"].toDouble();
    const auto g = grad_outputs[0].contiguous();  // [N, out]
    const bool need_x = ctx->needs_input_grad(0), need_W = ctx->needs_input_grad(1);
    const bool need_b = ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2);
    const bool need_A = ctx->needs_input_grad(3), need_B = ctx->needs_input_grad(4);
    const bool has_input = ctx->saved_data["has_input"].toBool();
    const bool need_xa = has_input && ctx->needs_input_grad(5);
    const bool adapter_into_x = !has_input && need_x;

    torch::Tensor dx, dW, db, dA, dB, dxa;
    torch::Tensor dt;  // ∂L/∂t = scale · g B: [N, r]
    if (need_A || adapter_into_x || need_xa) dt = torch::mm(g, B).mul_(scale);
    if (need_B) dB = torch::mm(g.t(), t).mul_(scale);  // [out, r]
    if (need_A) dA = torch::mm(dt.t(), has_input ? xa : x);  // [r, in]
    if (need_x) {
      dx = torch::mm(g, W);                                          // base path
      if (adapter_into_x) dx.addmm_(dt, A);                          // + adapter path, in place
    }
    if (need_xa) dxa = torch::mm(dt, A);
    if (need_W) dW = torch::mm(g.t(), x);
    if (need_b) db = g.sum(0);
    return {dx, dW, db, dA, dB, dxa, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor low_rank_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              const LowRankUpdate& update) {
  const int64_t in = weight.size(1), out = weight.size(0);
  ADALORA_CHECK(x.size(-1) == in, "low_rank_linear: expected input [..., ", in, "], got ", x.sizes());
  ADALORA_CHECK(update.A.dim() == 2 && update.A.size(1) == in && update.A.size(0) >= 1,
                "low_rank_linear: expected A [r ≥ 1, ", in, "], got ", update.A.sizes());
  ADALORA_CHECK(update.B.dim() == 2 && update.B.size(0) == out && update.B.size(1) == update.A.size(0),
                "low_rank_linear: expected B [", out, ", ", update.A.size(0), "], got ", update.B.sizes());
  ADALORA_CHECK(!update.input.defined() || update.input.sizes() == x.sizes(),
                "low_rank_linear: expected the adapter input shaped as x ", x.sizes(), ", got ",
                update.input.sizes());
  auto out_shape = x.sizes().vec();
  out_shape.back() = out;
  const auto x2 = x.reshape({-1, in});
  const bool has_bias = bias.defined(), has_input = update.input.defined();
  const auto none = torch::empty({0}, x.options());
  auto y = LowRankLinearFunction::apply(x2, weight, has_bias ? bias : none, update.A, update.B,
                                        has_input ? update.input.reshape({-1, in}) : none, update.scale,
                                        has_bias, has_input);
  return y.view(out_shape);
}

}  // namespace adalora::nn
