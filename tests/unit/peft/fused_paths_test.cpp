// The fast paths against the literal PEFT operation order they replace: SvdAdapter and
// LoraAdapter forward as one addmm (outputs and every gradient agree to rounding), and the
// one-pass importance EMA (bit-identical to the reference kernels, which run for non-contiguous
// tensors). The goldens check the end results; these tests pin each path on its own.
#include <gtest/gtest.h>

#include "adalora/nn/linear.h"
#include "adalora/peft/adalora/importance.h"
#include "adalora/peft/adalora/svd_adapter.h"
#include "adalora/peft/lora.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::peft {
namespace {

struct Grads {
  torch::Tensor y, dx;
  std::vector<torch::Tensor> dparams;
};

// y = f(x, y_base), then the gradient of Σ w·y for a fixed random w.
template <typename Forward>
Grads run(Forward f, const torch::Tensor& x0, const torch::Tensor& y0, const std::vector<torch::Tensor>& params) {
  auto x = x0.clone().requires_grad_(true);
  auto y_base = y0.clone().requires_grad_(true);
  for (auto p : params) p.mutable_grad() = torch::Tensor();
  auto y = f(x, y_base);
  torch::manual_seed(99);
  (y * torch::randn_like(y)).sum().backward();
  Grads g{y.detach(), x.grad().clone(), {}};
  for (const auto& p : params) g.dparams.push_back(p.grad().clone());
  return g;
}

void expect_same(const Grads& fused, const Grads& reference, double tol) {
  EXPECT_TENSOR_NEAR(fused.y, reference.y, tol, tol);
  EXPECT_TENSOR_NEAR(fused.dx, reference.dx, tol, tol);
  ASSERT_EQ(fused.dparams.size(), reference.dparams.size());
  for (size_t i = 0; i < fused.dparams.size(); ++i) EXPECT_TENSOR_NEAR(fused.dparams[i], reference.dparams[i], tol, tol);
}

class FusedPaths : public ::testing::TestWithParam<torch::Dtype> {
 protected:
  double tol() const { return GetParam() == torch::kFloat64 ? 1e-12 : 2e-5; }
};

TEST_P(FusedPaths, SvdAdapterForwardMatchesPeftOrder) {
  torch::manual_seed(3);
  SvdAdapterOptions o;
  o.in_features = 24;
  o.out_features = 40;
  o.r = 6;
  o.lora_alpha = 16;
  o.init_lora_weights = false;  // A, B, E ~ N(0, 1): every term non-zero
  o.dtype = GetParam();
  SvdAdapter adapter(o);
  const auto opts = torch::TensorOptions().dtype(GetParam());
  const auto x = torch::randn({3, 7, 24}, opts), y = torch::randn({3, 7, 40}, opts);
  const std::vector<torch::Tensor> params = {adapter.lora_A, adapter.lora_B, adapter.lora_E};
  const auto fused = run([&](auto& a, auto& b) { return adapter.forward(a, b); }, x, y, params);
  const auto reference = run([&](auto& a, auto& b) { return adapter.forward_reference(a, b); }, x, y, params);
  expect_same(fused, reference, tol());
  EXPECT_GT(fused.dparams[2].abs().max().item<double>(), 0);  // λ's gradient is really exercised
}

TEST_P(FusedPaths, LoraAdapterForwardMatchesPeftOrder) {
  torch::manual_seed(4);
  LoraConfig c;
  c.r = 5;
  c.lora_alpha = 12;
  LoraAdapter adapter(24, 40, c, GetParam());
  {
    torch::NoGradGuard no_grad;
    adapter.lora_B->weight.normal_();  // B starts at 0: make the product non-trivial
  }
  const auto opts = torch::TensorOptions().dtype(GetParam());
  const auto x = torch::randn({3, 7, 24}, opts), y = torch::randn({3, 7, 40}, opts);
  const std::vector<torch::Tensor> params = {adapter.lora_A->weight, adapter.lora_B->weight};
  const auto fused = run([&](auto& a, auto& b) { return adapter.forward(a, b); }, x, y, params);
  const auto reference = run([&](auto& a, auto& b) { return adapter.forward_reference(a, b); }, x, y, params);
  expect_same(fused, reference, tol());
}

// nn::Linear with an adapter runs base + update as one node (nn/low_rank_linear.h); against the
// frozen base plus the adapter's PEFT-order forward, with and without adapter dropout (the same
// seed gives the same mask: neither path draws random numbers before the dropout).
template <typename MakeAdapter>
void expect_layer_matches_reference(MakeAdapter make, torch::Dtype dtype, double tol) {
  for (double dropout : {0.0, 0.3}) {
    SCOPED_TRACE("lora_dropout " + std::to_string(dropout));
    torch::manual_seed(6);
    nn::Linear layer(nn::LinearOptions{24, 40, true, false});
    layer->to(dtype);
    for (auto& p : layer->parameters()) p.set_requires_grad(false);
    auto adapter = make(dropout);
    layer->attach(adapter);
    layer->train();
    std::vector<torch::Tensor> params;
    for (auto& p : adapter->parameters()) params.push_back(p);
    const auto x = torch::randn({3, 7, 24}, torch::TensorOptions().dtype(dtype));
    const auto unused = torch::zeros({3, 7, 40}, torch::TensorOptions().dtype(dtype));
    const auto one_node = run([&](auto& a, auto&) { torch::manual_seed(7); return layer->forward(a); }, x, unused, params);
    const auto reference = run([&](auto& a, auto&) {
      torch::manual_seed(7);
      auto h = a;
      return adapter->forward_reference(h, layer->base_forward(a));
    }, x, unused, params);
    expect_same(one_node, reference, tol);
  }
}

TEST_P(FusedPaths, LayerWithSvdAdapterMatchesPeftOrder) {
  expect_layer_matches_reference([&](double dropout) {
    SvdAdapterOptions o;
    o.in_features = 24;
    o.out_features = 40;
    o.r = 6;
    o.lora_alpha = 16;
    o.lora_dropout = dropout;
    o.init_lora_weights = false;
    o.dtype = GetParam();
    return std::make_shared<SvdAdapter>(o);
  }, GetParam(), tol());
}

TEST_P(FusedPaths, LayerWithLoraAdapterMatchesPeftOrder) {
  expect_layer_matches_reference([&](double dropout) {
    LoraConfig c;
    c.r = 5;
    c.lora_alpha = 12;
    c.lora_dropout = dropout;
    auto adapter = std::make_shared<LoraAdapter>(24, 40, c, GetParam());
    torch::NoGradGuard no_grad;
    adapter->lora_B->weight.normal_();
    return adapter;
  }, GetParam(), tol());
}

TEST_P(FusedPaths, ImportanceOnePassIsBitIdenticalToTheReferenceKernels) {
  torch::manual_seed(5);
  const auto opts = torch::TensorOptions().dtype(GetParam());
  ImportanceState fused, reference;
  for (int step = 0; step < 4; ++step) {
    const auto p = torch::randn({9, 33}, opts), g = torch::randn({9, 33}, opts);
    update_importance(fused, p, g, 0.85, 0.7);  // contiguous: the one-pass kernel
    // The same values as non-contiguous views take the reference path (PEFT's kernels).
    const auto pt = p.t().contiguous().t(), gt = g.t().contiguous().t();
    ASSERT_FALSE(pt.is_contiguous());
    update_importance(reference, pt, gt, 0.85, 0.7);
  }
  EXPECT_TRUE(torch::equal(fused.ipt, reference.ipt));
  EXPECT_TRUE(torch::equal(fused.exp_avg_ipt, reference.exp_avg_ipt));
  EXPECT_TRUE(torch::equal(fused.exp_avg_unc, reference.exp_avg_unc));
  EXPECT_GT(fused.exp_avg_unc.abs().max().item<double>(), 0);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, FusedPaths, ::testing::Values(torch::kFloat32, torch::kFloat64),
                         [](const auto& info) { return info.param == torch::kFloat32 ? "float32" : "float64"; });

}  // namespace
}  // namespace adalora::peft
