// Tensor comparisons for tests that print shape, max abs/rel error and the first mismatching index.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace adalora::testing {

/// Passes when |actual − expected| ≤ atol + rtol·|expected| everywhere (shapes must match).
::testing::AssertionResult tensors_near(const torch::Tensor& actual, const torch::Tensor& expected,
                                        double atol, double rtol);

}  // namespace adalora::testing

#define EXPECT_TENSOR_NEAR(actual, expected, atol, rtol) \
  EXPECT_TRUE(::adalora::testing::tensors_near((actual), (expected), (atol), (rtol)))
#define ASSERT_TENSOR_NEAR(actual, expected, atol, rtol) \
  ASSERT_TRUE(::adalora::testing::tensors_near((actual), (expected), (atol), (rtol)))
