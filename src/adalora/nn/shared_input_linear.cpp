#include "adalora/nn/shared_input_linear.h"

#include <optional>

#include "adalora/core/error.h"

namespace adalora::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Inputs: x [N, in], A [R, in] (the adapted layers' A_j stacked), then k weights [out_j, in], k
// biases [out_j] and k B_j [out_j, r_j]; a missing bias or B (layer without update) is an empty
// placeholder, as LibTorch 1.13's Function::apply cannot take undefined tensors. scales[j] = s_j.
struct SharedInputLinearFunction : torch::autograd::Function<SharedInputLinearFunction> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& A,
                               at::TensorList Ws, at::TensorList bs, at::TensorList Bs,
                               const std::vector<double>& scales) {
    const auto t = torch::mm(x, A.t());  // [N, R]: the one pass over x for every update
    variable_list ys;
    int64_t offset = 0;
    for (size_t j = 0; j < Ws.size(); ++j) {
      auto y = bs[j].numel() > 0 ? torch::addmm(bs[j], x, Ws[j].t()) : torch::mm(x, Ws[j].t());  // [N, out_j]
      if (Bs[j].numel() > 0) {
        const int64_t r = Bs[j].size(1);
        y.addmm_(t.narrow(1, offset, r), Bs[j].t(), /*beta=*/1, /*alpha=*/scales[j]);
        offset += r;
      }
      ys.push_back(y);
    }
    variable_list saved = {x, A, t};
    saved.insert(saved.end(), Ws.begin(), Ws.end());
    saved.insert(saved.end(), Bs.begin(), Bs.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["scales"] = scales;
    std::vector<int64_t> has_bias;
    for (const auto& b : bs) has_bias.push_back(b.numel() > 0);
    ctx->saved_data["has_bias"] = has_bias;
    return ys;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &A = saved[1], &t = saved[2];
    const size_t k = grad_outputs.size();
    const auto scales = ctx->saved_data["scales"].toDoubleVector();
    const auto has_bias = ctx->saved_data["has_bias"].toIntVector();
    auto W = [&](size_t j) -> const torch::Tensor& { return saved[3 + j]; };
    auto Bj = [&](size_t j) -> const torch::Tensor& { return saved[3 + k + j]; };
    // Input positions: 0 x, 1 A, 2.. weights, 2+k.. biases, 2+2k.. B, then scales.
    const bool need_x = ctx->needs_input_grad(0), need_A = ctx->needs_input_grad(1);
    bool need_dt = need_x || need_A;
    variable_list grads(3 + 3 * k);

    std::vector<torch::Tensor> g(k);
    for (size_t j = 0; j < k; ++j) g[j] = grad_outputs[j].contiguous();  // [N, out_j]
    auto dt = torch::empty_like(t);  // ∂L/∂t: [N, R]
    int64_t offset = 0;
    for (size_t j = 0; j < k; ++j) {
      if (Bj(j).numel() == 0) continue;
      const int64_t r = Bj(j).size(1);
      if (need_dt) {
        auto dt_j = dt.narrow(1, offset, r);  // [N, r_j], row stride R
        torch::mm_out(dt_j, g[j], Bj(j)).mul_(scales[j]);
      }
      if (ctx->needs_input_grad(2 + 2 * k + j)) {
        grads[2 + 2 * k + j] = torch::mm(g[j].t(), t.narrow(1, offset, r)).mul_(scales[j]);  // [out_j, r_j]
      }
      offset += r;
    }
    if (need_A) grads[1] = torch::mm(dt.t(), x);  // [R, in]: one pass over x
    if (need_x) {
      auto dx = torch::mm(g[0], W(0));  // [N, in]
      for (size_t j = 1; j < k; ++j) dx.addmm_(g[j], W(j));
      dx.addmm_(dt, A);  // every adapter's part in one product
      grads[0] = dx;
    }
    for (size_t j = 0; j < k; ++j) {
      if (ctx->needs_input_grad(2 + j)) grads[2 + j] = torch::mm(g[j].t(), x);
      if (has_bias[j] && ctx->needs_input_grad(2 + k + j)) grads[2 + k + j] = g[j].sum(0);
    }
    return grads;
  }
};

// The layer's low-rank update when its forward is exactly x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ; nullopt when the
// adapter is absent, disabled or merged (base product only). Sets `fused` false when the layer must
// run its own forward.
std::optional<LowRankUpdate> update_of(LinearImpl& layer, const torch::Tensor& x, bool& fused) {
  if (layer.options().fan_in_fan_out || x.scalar_type() != layer.weight.scalar_type()) fused = false;
  const auto& adapter = layer.adapter();
  if (!fused || !adapter || !layer.adapter_enabled() || layer.merged()) return std::nullopt;
  auto update = adapter->low_rank_update(x);
  if (!update || update->input.defined()) fused = false;
  return update;
}

}  // namespace

std::vector<torch::Tensor> shared_input_linears(const torch::Tensor& x, const std::vector<LinearImpl*>& layers) {
  ADALORA_CHECK(!layers.empty(), "shared_input_linears: expected at least one layer");
  const int64_t in = x.size(-1);
  for (const auto* layer : layers) {
    ADALORA_CHECK(layer != nullptr, "shared_input_linears: expected layers, got nullptr");
    ADALORA_CHECK(layer->options().in_features == in, "shared_input_linears: expected every layer to read [..., ",
                  in, "], got one with in_features ", layer->options().in_features);
  }
  bool fused = true;
  std::vector<std::optional<LowRankUpdate>> updates;
  int64_t adapted = 0;
  for (auto* layer : layers) {
    updates.push_back(update_of(*layer, x, fused));
    adapted += updates.back().has_value();
  }
  std::vector<torch::Tensor> ys;
  if (!fused || adapted < 2) {  // the reference: each layer on its own
    for (auto* layer : layers) ys.push_back(layer->forward(x));
    return ys;
  }
  const auto none = torch::empty({0}, x.options());
  std::vector<torch::Tensor> As, Ws, bs, Bs;
  std::vector<double> scales;
  for (size_t j = 0; j < layers.size(); ++j) {
    Ws.push_back(layers[j]->weight);
    bs.push_back(layers[j]->bias.defined() ? layers[j]->bias : none);
    Bs.push_back(updates[j] ? updates[j]->B : none);
    scales.push_back(updates[j] ? updates[j]->scale : 0.0);
    if (updates[j]) As.push_back(updates[j]->A);
  }
  const auto x2 = x.reshape({-1, in});
  auto outs = SharedInputLinearFunction::apply(x2, torch::cat(As, 0), at::TensorList(Ws), at::TensorList(bs),
                                               at::TensorList(Bs), scales);
  auto shape = x.sizes().vec();
  for (size_t j = 0; j < layers.size(); ++j) {
    shape.back() = layers[j]->options().out_features;
    ys.push_back(outs[j].view(shape));
  }
  return ys;
}

}  // namespace adalora::nn
