// nn::dropout_add_layer_norm against the eager composition it replaces, layer_norm(apply_dropout(y)
// + residual), with the same generator state (so the same keep mask): output and the gradients of
// y, residual, weight and bias in float64, with and without dropout, and in eval mode.
#include "adalora/nn/dropout_add_layer_norm.h"

#include <gtest/gtest.h>

#include "adalora/nn/dropout.h"
#include "adalora/core/error.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

struct LayerNormResult {
  torch::Tensor out;
  std::vector<torch::Tensor> grads;  // y, residual, weight, bias
};

template <typename F>
LayerNormResult run(F f, torch::Dtype dtype) {
  torch::manual_seed(3);
  const auto o = torch::TensorOptions().dtype(dtype);
  std::vector<torch::Tensor> leaves = {torch::randn({2, 7, 24}, o), torch::randn({2, 7, 24}, o),
                                       1 + 0.1 * torch::randn({24}, o), 0.1 * torch::randn({24}, o)};
  for (auto& l : leaves) l.requires_grad_(true);
  torch::manual_seed(42);  // the dropout draw
  auto out = f(leaves[0], leaves[1], leaves[2], leaves[3]);
  torch::manual_seed(99);
  (out * torch::randn_like(out)).sum().backward();
  LayerNormResult r{out.detach(), {}};
  for (const auto& l : leaves) r.grads.push_back(l.grad().clone());
  return r;
}

void expect_matches_eager(double p, bool training, torch::Dtype dtype, double tol) {
  const double eps = 1e-12;
  const auto fused = run([&](auto y, auto r, auto w, auto b) { return dropout_add_layer_norm(y, r, w, b, eps, p, training); },
                         dtype);
  const auto eager = run(
      [&](auto y, auto r, auto w, auto b) {
        return torch::layer_norm(apply_dropout(y, p, training) + r, {y.size(-1)}, w, b, eps);
      },
      dtype);
  EXPECT_TENSOR_NEAR(fused.out, eager.out, tol, tol) << "p " << p << " training " << training;
  const char* names[] = {"y", "residual", "weight", "bias"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TENSOR_NEAR(fused.grads[i], eager.grads[i], tol, tol) << "gradient of " << names[i] << ", p " << p;
  }
}

TEST(DropoutAddLayerNormTest, MatchesEagerWithDropoutFloat64) { expect_matches_eager(0.3, true, torch::kFloat64, 1e-12); }

TEST(DropoutAddLayerNormTest, MatchesEagerWithoutDropoutFloat64) { expect_matches_eager(0.0, true, torch::kFloat64, 1e-12); }

TEST(DropoutAddLayerNormTest, EvalModeIgnoresDropoutFloat64) { expect_matches_eager(0.3, false, torch::kFloat64, 1e-12); }

TEST(DropoutAddLayerNormTest, MatchesEagerWithDropoutFloat32) { expect_matches_eager(0.1, true, torch::kFloat32, 1e-5); }

TEST(DropoutAddLayerNormTest, DropsSomething) {
  // Guards the test above against a mask that keeps everything (the two paths would still agree).
  torch::manual_seed(1);
  const auto y = torch::randn({4, 64}, torch::kFloat64), r = torch::zeros({4, 64}, torch::kFloat64);
  const auto w = torch::ones({64}, torch::kFloat64), b = torch::zeros({64}, torch::kFloat64);
  torch::manual_seed(2);
  const auto with = dropout_add_layer_norm(y, r, w, b, 1e-12, 0.5, true);
  const auto without = dropout_add_layer_norm(y, r, w, b, 1e-12, 0.0, true);
  EXPECT_GT((with - without).abs().max().item<double>(), 0.1);
}

TEST(DropoutAddLayerNormTest, RejectsMismatchedResidual) {
  const auto w = torch::ones({8}), b = torch::zeros({8});
  EXPECT_THROW(dropout_add_layer_norm(torch::randn({3, 8}), torch::randn({3, 4}), w, b, 1e-5, 0.1, true), Error);
}

}  // namespace
}  // namespace adalora::nn
