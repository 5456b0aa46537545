#include "adalora/nn/dropout_add_layer_norm.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "adalora/core/error.h"
#include "adalora/nn/dropout.h"
#include "adalora/nn/dropout_seed.h"

namespace adalora::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows of C elements; keep == nullptr: no dropout. Writes out [N, C], x̂ [N, C] and rstd [N].
template <typename T>
void forward_kernel(const T* y, const T* residual, const uint8_t* keep, const T* gamma, const T* beta, T* out,
                    T* xhat, T* rstd, int64_t rows, int64_t C, T scale, T eps) {
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T* yi = y + i * C;
      const T* ri = residual + i * C;
      T* zi = xhat + i * C;  // z first, normalised in place below
      T sum = 0;
      if (keep != nullptr) {
        const uint8_t* ki = keep + i * C;
        for (int64_t c = 0; c < C; ++c) zi[c] = (ki[c] ? yi[c] * scale : T(0)) + ri[c];
      } else {
        for (int64_t c = 0; c < C; ++c) zi[c] = yi[c] + ri[c];
      }
      for (int64_t c = 0; c < C; ++c) sum += zi[c];
      const T mean = sum / static_cast<T>(C);
      T sq = 0;
      for (int64_t c = 0; c < C; ++c) sq += (zi[c] - mean) * (zi[c] - mean);
      const T r = T(1) / std::sqrt(sq / static_cast<T>(C) + eps);  // biased variance, as LayerNorm
      rstd[i] = r;
      T* oi = out + i * C;
      for (int64_t c = 0; c < C; ++c) {
        zi[c] = (zi[c] - mean) * r;
        oi[c] = zi[c] * gamma[c] + beta[c];
      }
    }
  });
}

// dz per row from g, x̂, rstd and γ; writes d residual = dz and dy = keep·dz·scale.
template <typename T>
void backward_kernel(const T* g, const T* xhat, const T* rstd, const T* gamma, const uint8_t* keep, T* dres, T* dy,
                     int64_t rows, int64_t C, T scale) {
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T* gi = g + i * C;
      const T* xi = xhat + i * C;
      T a = 0, b = 0;  // Σ g·γ, Σ g·γ·x̂
      for (int64_t c = 0; c < C; ++c) {
        const T gg = gi[c] * gamma[c];
        a += gg;
        b += gg * xi[c];
      }
      const T r = rstd[i], inv_c = T(1) / static_cast<T>(C);
      a *= inv_c;
      b *= inv_c;
      T* di = dres + i * C;
      for (int64_t c = 0; c < C; ++c) di[c] = r * (gi[c] * gamma[c] - a - xi[c] * b);
      T* dyi = dy + i * C;
      if (keep != nullptr) {
        const uint8_t* ki = keep + i * C;
        for (int64_t c = 0; c < C; ++c) dyi[c] = ki[c] ? di[c] * scale : T(0);
      } else {
        for (int64_t c = 0; c < C; ++c) dyi[c] = di[c];
      }
    }
  });
}

// Inputs y, residual: [N, C] contiguous; keep: [N, C] uint8 or an empty placeholder (no dropout).
struct DropoutAddLayerNormFunction : torch::autograd::Function<DropoutAddLayerNormFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y, const torch::Tensor& residual,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& keep,
                               double eps, double p) {
    const int64_t N = y.size(0), C = y.size(1);
    auto out = torch::empty_like(y);
    auto xhat = torch::empty_like(y);                 // [N, C]
    auto rstd = torch::empty({N}, y.options());       // [N]
    const auto gamma = weight.contiguous(), beta = bias.contiguous();
    const bool has_keep = keep.numel() > 0;
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "adalora::nn::dropout_add_layer_norm", [&] {
      forward_kernel<scalar_t>(y.data_ptr<scalar_t>(), residual.data_ptr<scalar_t>(),
                               has_keep ? keep.data_ptr<uint8_t>() : nullptr, gamma.data_ptr<scalar_t>(),
                               beta.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), xhat.data_ptr<scalar_t>(),
                               rstd.data_ptr<scalar_t>(), N, C, static_cast<scalar_t>(1.0 / (1.0 - p)),
                               static_cast<scalar_t>(eps));
    });
    ctx->save_for_backward({xhat, rstd, gamma, keep});
    ctx->saved_data["p"] = p;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &xhat = saved[0], &rstd = saved[1], &gamma = saved[2], &keep = saved[3];
    const double p = ctx->saved_data["p"].toDouble();
    const auto g = grad_outputs[0].contiguous();  // [N, C]
    const int64_t N = g.size(0), C = g.size(1);
    torch::Tensor dy, dres, dweight, dbias;
    if (ctx->needs_input_grad(0) || ctx->needs_input_grad(1)) {
      dres = torch::empty_like(g);
      dy = torch::empty_like(g);
      AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "adalora::nn::dropout_add_layer_norm_backward", [&] {
        backward_kernel<scalar_t>(g.data_ptr<scalar_t>(), xhat.data_ptr<scalar_t>(), rstd.data_ptr<scalar_t>(),
                                  gamma.data_ptr<scalar_t>(), keep.numel() > 0 ? keep.data_ptr<uint8_t>() : nullptr,
                                  dres.data_ptr<scalar_t>(), dy.data_ptr<scalar_t>(), N, C,
                                  static_cast<scalar_t>(1.0 / (1.0 - p)));
      });
    }
    if (ctx->needs_input_grad(2)) dweight = (g * xhat).sum(0);
    if (ctx->needs_input_grad(3)) dbias = g.sum(0);
    return {ctx->needs_input_grad(0) ? dy : torch::Tensor(), ctx->needs_input_grad(1) ? dres : torch::Tensor(),
            dweight, dbias, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor dropout_add_layer_norm(const torch::Tensor& y, const torch::Tensor& residual, const torch::Tensor& weight,
                                     const torch::Tensor& bias, double eps, double dropout_p, bool training) {
  const int64_t C = y.size(-1);
  ADALORA_CHECK(residual.sizes() == y.sizes(), "dropout_add_layer_norm: expected the residual shaped as y ",
                y.sizes(), ", got ", residual.sizes());
  ADALORA_CHECK(weight.dim() == 1 && weight.size(0) == C && bias.defined() && bias.sizes() == weight.sizes(),
                "dropout_add_layer_norm: expected weight and bias [", C, "]");
  ADALORA_CHECK(dropout_p >= 0.0 && dropout_p <= 1.0, "dropout_add_layer_norm: expected dropout in [0, 1], got ",
                dropout_p);
  const double p = training ? dropout_p : 0.0;
  const auto t = y.scalar_type();
  const bool fast = p < 1.0 && y.device().is_cpu() && (t == torch::kFloat32 || t == torch::kFloat64) &&
                    residual.scalar_type() == t && weight.scalar_type() == t && bias.scalar_type() == t;
  if (!fast) {  // the eager composition: the reference
    return torch::layer_norm(apply_dropout(y, p, p > 0) + residual, {C}, weight, bias, eps);
  }
  // The mask apply_dropout would draw here (one seed from LibTorch's generator), as bytes.
  const auto keep = p > 0 ? dropout_mask(y.numel(), p, draw_dropout_seed()) : torch::empty({0}, y.options().dtype(torch::kUInt8));
  auto out = DropoutAddLayerNormFunction::apply(y.reshape({-1, C}).contiguous(), residual.reshape({-1, C}).contiguous(),
                                                weight, bias, keep, eps, p);
  return out.view(y.sizes());
}

}  // namespace adalora::nn
