#include "adalora/peft/adalora/svd_adapter.h"

#include "adalora/core/error.h"

namespace adalora::peft {

SvdAdapter::SvdAdapter(const SvdAdapterOptions& options) : options_(options) {
  ADALORA_CHECK(options.in_features > 0 && options.out_features > 0,
                "SvdAdapter: expected positive in/out features, got ", options.in_features, ", ",
                options.out_features);
  ADALORA_CHECK(options.r >= 0, "SvdAdapter: r: expected ≥ 0, got ", options.r);
  // PEFT layer.py:85: `lora_alpha if lora_alpha > 0 else float(r)` — not alpha / r.
  scaling = options.lora_alpha > 0 ? options.lora_alpha : static_cast<double>(options.r);
  const auto opts = torch::TensorOptions().dtype(options.dtype);
  lora_A = register_parameter("lora_A", torch::empty({options.r, options.in_features}, opts));
  lora_B = register_parameter("lora_B", torch::empty({options.out_features, options.r}, opts));
  lora_E = register_parameter("lora_E", torch::empty({options.r, 1}, opts));
  ranknum = register_buffer("ranknum", torch::full({1}, static_cast<double>(options.r), opts));
  // PEFT divides by (ranknum + 1e-5) in ranknum's dtype: for float32, 6 + 1e-5 = 6.0000100135803223.
  // Read once here, on the CPU, so that forward() on a GPU needs no host copy per call.
  scale_denominator_ = (ranknum + 1e-5).item<double>();
  if (options.lora_dropout > 0) {
    dropout_ = register_module("lora_dropout", nn::Dropout(options.lora_dropout));
  }
  init_weights(options.r);
}

void SvdAdapter::init_weights(int64_t r) {
  torch::NoGradGuard no_grad;
  const auto opts = lora_A.options();
  lora_A.set_data(torch::empty({r, options_.in_features}, opts));
  lora_B.set_data(torch::empty({options_.out_features, r}, opts));
  lora_E.set_data(torch::empty({r, 1}, opts));
  for (auto* t : {&lora_A, &lora_B, &lora_E}) t->mutable_grad() = torch::Tensor();
  if (options_.init_lora_weights) {
    // PEFT reset_lora_parameters: E = 0 (ΔW = 0 at start), A, B ~ N(0, 0.02²).
    lora_E.zero_();
    lora_A.normal_(0.0, 0.02);
    lora_B.normal_(0.0, 0.02);
  } else {
    lora_A.normal_();
    lora_B.normal_();
    lora_E.normal_();
  }
}

double SvdAdapter::scale() const { return scaling / scale_denominator_; }

torch::Tensor SvdAdapter::forward_reference(const torch::Tensor& x, const torch::Tensor& y_base) {
  auto h = x.to(lora_A.scalar_type());
  if (!dropout_.is_empty()) h = dropout_(h);
  // PEFT's order: ((x @ (A∘E)ᵀ) @ Bᵀ) · scaling / (ranknum + 1e-5).
  auto delta = torch::matmul(torch::matmul(h, (lora_A * lora_E).t()), lora_B.t()) * scaling /
               (ranknum + 1e-5);
  return y_base + delta.to(y_base.scalar_type());
}

torch::Tensor SvdAdapter::forward(const torch::Tensor& x, const torch::Tensor& y_base) {
  // The fused path needs the base output in the adapter's dtype (not so for half-precision bases,
  // whose float32 adapters PEFT casts back) and a rank > 0.
  if (!options_.fused_forward || y_base.scalar_type() != lora_A.scalar_type() || rank() == 0) {
    return forward_reference(x, y_base);
  }
  auto h = x.to(lora_A.scalar_type());
  if (!dropout_.is_empty()) h = dropout_(h);
  const int64_t in = options_.in_features, out = options_.out_features;
  // y_base + s · ((h (A∘E)ᵀ) Bᵀ) as one addmm: the scale s = scaling / (ranknum + 1e-5) rides on
  // the GEMM's alpha and the residual add on its beta = 1, so no [N, out] temporaries are made in
  // forward (PEFT's order makes three) and none in backward (two): only the [N, r] intermediate
  // and the [r, out] weight gradient are scaled. Same products; s is rounded once instead of the
  // two roundings of `· scaling / denom` (≤ 1 ulp apart).
  const auto t = torch::mm(h.reshape({-1, in}), (lora_A * lora_E).t());  // [N, r]
  auto y = torch::addmm(y_base.reshape({-1, out}), t, lora_B.t(), /*beta=*/1, /*alpha=*/scale());
  return y.view(y_base.sizes());  // [..., out]
}

std::optional<nn::LowRankUpdate> SvdAdapter::low_rank_update(const torch::Tensor& x) {
  if (!options_.fused_forward || x.scalar_type() != lora_A.scalar_type() || rank() == 0) return std::nullopt;
  nn::LowRankUpdate update{lora_A * lora_E, lora_B, scale(), torch::Tensor()};
  if (!dropout_.is_empty() && is_training()) update.input = dropout_(x);
  return update;
}

torch::Tensor SvdAdapter::delta_weight() const {
  return torch::matmul(lora_B, lora_A * lora_E) * scaling / (ranknum + 1e-5);
}

void SvdAdapter::prune(const std::vector<bool>& keep) {
  ADALORA_CHECK(static_cast<int64_t>(keep.size()) == rank(), "SvdAdapter::prune: expected ", rank(),
                " pattern entries, got ", keep.size());
  std::vector<int64_t> rows;
  for (size_t i = 0; i < keep.size(); ++i) {
    if (keep[i]) rows.push_back(static_cast<int64_t>(i));
  }
  auto index = torch::tensor(rows, torch::kInt64).to(lora_A.device());
  torch::NoGradGuard no_grad;
  lora_A.set_data(lora_A.index_select(0, index));
  lora_E.set_data(lora_E.index_select(0, index));
  lora_B.set_data(lora_B.index_select(1, index));
  for (auto* t : {&lora_A, &lora_B, &lora_E}) t->mutable_grad() = torch::Tensor();
}

void SvdAdapter::resize(int64_t r) {
  ADALORA_CHECK(r >= 0, "SvdAdapter::resize: expected r ≥ 0, got ", r);
  init_weights(r);
}

}  // namespace adalora::peft
