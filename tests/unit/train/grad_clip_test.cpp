// grad_clip.h's two halves against LibTorch's clip_grad_norm_ (norm_type 2): same norm and same
// scaled gradients, bit for bit, with clipping active and inactive and a parameter without a
// gradient; no gradient at all gives an undefined norm and changes nothing.
#include "adalora/train/grad_clip.h"

#include <gtest/gtest.h>

#include <limits>

namespace adalora::train {
namespace {

std::vector<torch::Tensor> parameters_with_gradients(uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<torch::Tensor> params;
  for (auto shape : {std::vector<int64_t>{7, 5}, {3}, {4, 1}, {2, 2}}) {
    auto p = torch::randn(shape).requires_grad_(true);
    params.push_back(p);
  }
  for (size_t i = 0; i + 1 < params.size(); ++i) {  // the last one has no gradient
    params[i].mutable_grad() = torch::randn(params[i].sizes()) * 3.0;
  }
  return params;
}

TEST(GradClipTest, MatchesLibTorchsClipGradNormBitForBit) {
  for (double max_norm : {0.1, 1.0, 1e6, std::numeric_limits<double>::infinity()}) {
    auto mine = parameters_with_gradients(3), theirs = parameters_with_gradients(3);
    const torch::Tensor norm = total_grad_norm(mine);
    scale_gradients(mine, norm, max_norm);
    const double expected = torch::nn::utils::clip_grad_norm_(theirs, max_norm, 2.0);
    EXPECT_EQ(norm.item<double>(), expected) << "max_norm " << max_norm;
    for (size_t i = 0; i < mine.size(); ++i) {
      ASSERT_EQ(mine[i].grad().defined(), theirs[i].grad().defined());
      if (mine[i].grad().defined()) {
        EXPECT_TRUE(torch::equal(mine[i].grad(), theirs[i].grad())) << "max_norm " << max_norm << ", tensor " << i;
      }
    }
  }
}

TEST(GradClipTest, NoGradientGivesAnUndefinedNormAndChangesNothing) {
  auto p = torch::ones({3}).requires_grad_(true);
  const torch::Tensor norm = total_grad_norm({p});
  EXPECT_FALSE(norm.defined());
  scale_gradients({p}, norm, 1.0);
  EXPECT_FALSE(p.grad().defined());
}

}  // namespace
}  // namespace adalora::train
