// nn::apply_dropout: inverted dropout with a parallel counter-based mask (nn/dropout.h).
#include "adalora/nn/dropout.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

TEST(Dropout, KeepRateIsOneMinusPWithinFourSigma) {
  const int64_t n = 1 << 20;
  for (double p : {0.1, 0.5, 0.9}) {
    const double kept = dropout_mask(n, p, 12345).to(torch::kFloat64).mean().item<double>();
    const double sigma = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(kept, 1 - p, 4 * sigma) << "p = " << p;
  }
}

TEST(Dropout, NeighbouringBitsAreUncorrelated) {
  // The two halves of one 64-bit hash feed elements 2k and 2k+1; consecutive hashes feed the rest.
  const int64_t n = 1 << 20;
  const auto m = dropout_mask(n, 0.5, 7).to(torch::kFloat64) - 0.5;
  const double lag1 = (m.narrow(0, 0, n - 1) * m.narrow(0, 1, n - 1)).mean().item<double>() / 0.25;
  const double lag2 = (m.narrow(0, 0, n - 2) * m.narrow(0, 2, n - 2)).mean().item<double>() / 0.25;
  EXPECT_LT(std::abs(lag1), 4 / std::sqrt(static_cast<double>(n)));
  EXPECT_LT(std::abs(lag2), 4 / std::sqrt(static_cast<double>(n)));
}

TEST(Dropout, MaskIsTheSameForAnyThreadCount) {
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = dropout_mask(100003, 0.3, 99);
  at::set_num_threads(2);
  const auto two = dropout_mask(100003, 0.3, 99);
  at::set_num_threads(before);
  EXPECT_TRUE(torch::equal(one, two));
  EXPECT_FALSE(torch::equal(one, dropout_mask(100003, 0.3, 100)));  // and the seed matters
}

TEST(Dropout, ForwardScalesKeptElementsAndBackwardUsesTheSameMask) {
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    torch::manual_seed(1);
    const auto x = (torch::rand({4, 33, 17}, torch::TensorOptions().dtype(dtype)) + 0.5).requires_grad_(true);
    const auto y = apply_dropout(x, 0.25, true);
    const auto kept = y != 0;
    EXPECT_TENSOR_NEAR(y.masked_select(kept), x.detach().masked_select(kept) / 0.75, 1e-6, 1e-6);
    const auto w = torch::randn_like(y);
    (y * w).sum().backward();
    const auto expected = torch::where(kept, w / 0.75, torch::zeros_like(w));
    EXPECT_TENSOR_NEAR(x.grad(), expected, 1e-6, 1e-6);
  }
}

TEST(Dropout, ManualSeedRepeatsTheMask) {
  const auto x = torch::ones({1000});
  torch::manual_seed(5);
  const auto a = apply_dropout(x, 0.5, true);
  const auto b = apply_dropout(x, 0.5, true);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(a, apply_dropout(x, 0.5, true)));
  EXPECT_FALSE(torch::equal(a, b));  // consecutive calls draw new seeds
}

TEST(Dropout, EvalModeZeroAndOneAreAsTorch) {
  const auto x = torch::randn({3, 5}).requires_grad_(true);
  EXPECT_TRUE(apply_dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(apply_dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(torch::equal(apply_dropout(x, 1.0, true), torch::zeros_like(x)));
  EXPECT_THROW(apply_dropout(x, 1.5, true), Error);
  Dropout module(0.5);
  module->eval();
  EXPECT_TRUE(module(x).is_same(x));
}

TEST(Dropout, NonContiguousInputAndOtherDtypes) {
  torch::manual_seed(2);
  const auto x = torch::randn({20, 30}).t();
  ASSERT_FALSE(x.is_contiguous());
  const auto y = apply_dropout(x, 0.5, true);
  const auto kept = y != 0;
  EXPECT_TENSOR_NEAR(y.masked_select(kept), x.masked_select(kept) * 2, 1e-6, 1e-6);
  const auto h = apply_dropout(torch::ones({64}, torch::kBFloat16), 0.5, true);  // torch::dropout fallback
  EXPECT_EQ(h.scalar_type(), torch::kBFloat16);
}

}  // namespace
}  // namespace adalora::nn
