// nn::batched_matmul (batch spread over threads) against torch::bmm: output and both gradients.
#include "adalora/nn/batched_matmul.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

TEST(BatchedMatmul, MatchesBmmWithStridedOperands) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
    torch::manual_seed(8);
    const auto o = torch::TensorOptions().dtype(dtype);
    const auto a0 = torch::randn({6, 5, 7}, o);
    const auto bt0 = torch::randn({6, 9, 7}, o);  // b given as a transposed view, as k.transpose(-1, -2)
    const auto w = torch::randn({6, 5, 9}, o);
    auto run = [&](bool ours) {
      auto a = a0.clone().requires_grad_(true), bt = bt0.clone().requires_grad_(true);
      const auto b = bt.transpose(1, 2);
      auto y = ours ? batched_matmul(a, b) : torch::bmm(a, b);
      (y * w).sum().backward();
      return std::vector<torch::Tensor>{y.detach(), a.grad(), bt.grad()};
    };
    const auto mine = run(true), reference = run(false);
    for (size_t i = 0; i < mine.size(); ++i) EXPECT_TENSOR_NEAR(mine[i], reference[i], tol, tol);
  }
}

TEST(BatchedMatmul, OnlyRequestedGradientsAndShapeErrors) {
  const auto a = torch::randn({3, 4, 5}).requires_grad_(true), b = torch::randn({3, 5, 2});
  batched_matmul(a, b).sum().backward();
  EXPECT_TRUE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  EXPECT_THROW(batched_matmul(a, torch::randn({3, 4, 2})), Error);
  EXPECT_THROW(batched_matmul(a, torch::randn({2, 5, 2})), Error);
  EXPECT_EQ(batched_matmul(a.to(torch::kBFloat16), b.to(torch::kBFloat16)).scalar_type(), torch::kBFloat16);
}

}  // namespace
}  // namespace adalora::nn
