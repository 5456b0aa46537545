// nn::low_rank_linear (one autograd node for base + low-rank update) against the same products
// composed of LibTorch ops and left to autograd: output and the gradient of every input.
#include "adalora/nn/low_rank_linear.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

struct Inputs {
  torch::Tensor x, W, b, A, B, xa;
};

Inputs make_inputs(torch::Dtype dtype, bool bias, bool separate_input) {
  torch::manual_seed(11);
  const auto o = torch::TensorOptions().dtype(dtype);
  Inputs in;
  in.x = torch::randn({2, 5, 12}, o);
  in.W = torch::randn({9, 12}, o);
  if (bias) in.b = torch::randn({9}, o);
  in.A = torch::randn({4, 12}, o);
  in.B = torch::randn({9, 4}, o);
  if (separate_input) in.xa = torch::randn({2, 5, 12}, o);
  return in;
}

// Fresh leaves (requires_grad as asked) → y and the gradient of Σ w·y for a fixed random w.
struct LowRankResult {
  torch::Tensor y;
  std::vector<torch::Tensor> grads;  // x, W, b, A, B, xa (undefined where not requested)
};

template <typename F>
LowRankResult run(const Inputs& in, const std::vector<bool>& requires, F f) {
  std::vector<torch::Tensor> leaves;
  const std::vector<torch::Tensor> src = {in.x, in.W, in.b, in.A, in.B, in.xa};
  for (size_t i = 0; i < src.size(); ++i) {
    leaves.push_back(src[i].defined() ? src[i].clone().requires_grad_(requires[i]) : torch::Tensor());
  }
  auto y = f(leaves);
  torch::manual_seed(99);
  (y * torch::randn_like(y)).sum().backward();
  LowRankResult r{y.detach(), {}};
  for (const auto& l : leaves) {
    r.grads.push_back(l.defined() && l.grad().defined() ? l.grad().clone() : torch::Tensor());
  }
  return r;
}

torch::Tensor fused(const std::vector<torch::Tensor>& l, double scale) {
  return low_rank_linear(l[0], l[1], l[2], LowRankUpdate{l[3], l[4], scale, l[5]});
}

torch::Tensor composed(const std::vector<torch::Tensor>& l, double scale) {
  const auto& xa = l[5].defined() ? l[5] : l[0];
  return torch::linear(l[0], l[1], l[2]) + torch::matmul(torch::matmul(xa, l[3].t()), l[4].t()) * scale;
}

void expect_same(const LowRankResult& a, const LowRankResult& b, double tol) {
  EXPECT_TENSOR_NEAR(a.y, b.y, tol, tol);
  for (size_t i = 0; i < a.grads.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i));
    ASSERT_EQ(a.grads[i].defined(), b.grads[i].defined());
    if (a.grads[i].defined()) {
      EXPECT_TENSOR_NEAR(a.grads[i], b.grads[i], tol, tol);
    }
  }
}

TEST(LowRankLinear, EveryGradientMatchesAutogradFloat64) {
  for (bool bias : {true, false}) {
    for (bool separate : {false, true}) {
      SCOPED_TRACE(std::string("bias ") + (bias ? "yes" : "no") + ", separate input " + (separate ? "yes" : "no"));
      const auto in = make_inputs(torch::kFloat64, bias, separate);
      const std::vector<bool> all(6, true);
      const auto a = run(in, all, [](auto& l) { return fused(l, 2.5); });
      const auto b = run(in, all, [](auto& l) { return composed(l, 2.5); });
      expect_same(a, b, 1e-12);
      EXPECT_EQ(a.y.sizes(), (std::vector<int64_t>{2, 5, 9}));
      EXPECT_GT(a.grads[3].abs().max().item<double>(), 0);
    }
  }
}

TEST(LowRankLinear, FrozenBaseAsAdaptersUseItFloat32) {
  // The training case: W, b frozen, x from a frozen lower layer or not, A and B trainable.
  for (bool x_grad : {true, false}) {
    const auto in = make_inputs(torch::kFloat32, true, false);
    const std::vector<bool> req = {x_grad, false, false, true, true, false};
    const auto a = run(in, req, [](auto& l) { return fused(l, 0.75); });
    const auto b = run(in, req, [](auto& l) { return composed(l, 0.75); });
    expect_same(a, b, 2e-5);
    EXPECT_FALSE(a.grads[1].defined());
    EXPECT_EQ(a.grads[0].defined(), x_grad);
  }
}

TEST(LowRankLinear, OutputIsBitIdenticalToTheAddmmForward) {
  // The adapters' own fused forward: base addmm, then addmm with the update, alpha = scale.
  const auto in = make_inputs(torch::kFloat32, true, false);
  const auto y = low_rank_linear(in.x, in.W, in.b, LowRankUpdate{in.A, in.B, 0.3, {}});
  const auto x2 = in.x.reshape({-1, 12});
  const auto expected = torch::addmm(torch::addmm(in.b, x2, in.W.t()), torch::mm(x2, in.A.t()), in.B.t(), 1, 0.3);
  EXPECT_TRUE(torch::equal(y.reshape({-1, 9}), expected));
}

TEST(LowRankLinear, IsOneAutogradNode) {
  const auto in = make_inputs(torch::kFloat32, true, false);
  const auto A = in.A.clone().requires_grad_(true);
  const auto y = low_rank_linear(in.x, in.W, in.b, LowRankUpdate{A, in.B, 1.0, {}});
  ASSERT_TRUE(y.grad_fn() != nullptr);
  // y is a view of the node's [N, out] output; the node right below is the fused function.
  const auto& next = y.grad_fn()->next_edges().at(0).function;
  ASSERT_TRUE(next != nullptr);
  EXPECT_NE(next->name().find("LowRankLinearFunction"), std::string::npos) << next->name();
}

TEST(LowRankLinear, RejectsMismatchedShapesByName) {
  const auto in = make_inputs(torch::kFloat32, true, false);
  EXPECT_THROW(low_rank_linear(in.x, in.W, in.b, LowRankUpdate{in.A.t(), in.B, 1.0, {}}), Error);
  EXPECT_THROW(low_rank_linear(in.x, in.W, in.b, LowRankUpdate{in.A, in.B.t(), 1.0, {}}), Error);
  EXPECT_THROW(low_rank_linear(in.x.narrow(2, 0, 6), in.W, in.b, LowRankUpdate{in.A, in.B, 1.0, {}}), Error);
  try {
    low_rank_linear(in.x, in.W, in.b, LowRankUpdate{in.A, in.B, 1.0, in.x.narrow(1, 0, 2)});
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adapter input"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace adalora::nn
