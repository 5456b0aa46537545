// nn::multi_head_attention (per-head parallel GEMMs, one autograd node) against the eager
// composition BERT used before it: output and the gradients of q, k and v.
#include "adalora/nn/attention.h"

#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"
#include "adalora/nn/dropout.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

// transformers' BertSelfAttention core, eager, on [B, T, H, D] inputs.
torch::Tensor eager(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                    const torch::Tensor& mask, double divisor, double p) {
  auto scores = torch::matmul(q.permute({0, 2, 1, 3}), k.permute({0, 2, 3, 1})) / divisor;
  if (mask.defined()) scores = scores + mask;
  auto probs = apply_dropout(torch::softmax(scores, -1), p, p > 0);
  return torch::matmul(probs, v.permute({0, 2, 1, 3})).permute({0, 2, 1, 3}).reshape({q.size(0), q.size(1), -1});
}

struct Case {
  int64_t B, T, S, H, D;
  bool mask;
  double p;
};

void expect_matches_eager(const Case& c, torch::Dtype dtype, double tol) {
  SCOPED_TRACE("B " + std::to_string(c.B) + " T " + std::to_string(c.T) + " S " + std::to_string(c.S) + " mask " +
               std::to_string(c.mask) + " p " + std::to_string(c.p));
  torch::manual_seed(21);
  const auto o = torch::TensorOptions().dtype(dtype);
  // q as a strided view (every other head of a wider projection), as a fused qkv split would give.
  const auto q_wide = torch::randn({c.B, c.T, 2 * c.H, c.D}, o);
  const auto k0 = torch::randn({c.B, c.S, c.H, c.D}, o), v0 = torch::randn({c.B, c.S, c.H, c.D}, o);
  torch::Tensor mask;
  if (c.mask) {
    mask = torch::zeros({c.B, 1, 1, c.S}, o);
    mask.narrow(3, c.S - 2, 2).narrow(0, 0, 1).fill_(-10000.0);  // pad the last two keys of item 0
  }
  const auto w = torch::randn({c.B, c.T, c.H * c.D}, o);
  const double divisor = std::sqrt(static_cast<double>(c.D));
  auto run = [&](bool fused) {
    auto qw = q_wide.clone().requires_grad_(true);
    auto k = k0.clone().requires_grad_(true), v = v0.clone().requires_grad_(true);
    const auto q = qw.narrow(2, 0, c.H);
    torch::manual_seed(77);  // the same dropout mask for both paths
    auto y = fused ? multi_head_attention(q, k, v, mask, divisor, c.p, true) : eager(q, k, v, mask, divisor, c.p);
    (y * w).sum().backward();
    return std::vector<torch::Tensor>{y.detach(), qw.grad(), k.grad(), v.grad()};
  };
  const auto a = run(true), b = run(false);
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i));
    EXPECT_TENSOR_NEAR(a[i], b[i], tol, tol);
  }
  EXPECT_GT(a[1].abs().max().item<double>(), 0);
}

TEST(MultiHeadAttention, MatchesEagerFloat64) {
  for (const auto& c : {Case{2, 7, 7, 3, 4, true, 0.0}, Case{2, 7, 5, 3, 4, false, 0.0}, Case{3, 6, 6, 2, 8, true, 0.3}}) {
    expect_matches_eager(c, torch::kFloat64, 1e-12);
  }
}

TEST(MultiHeadAttention, MatchesEagerFloat32) {
  expect_matches_eager(Case{2, 16, 16, 4, 8, true, 0.1}, torch::kFloat32, 2e-5);
}

TEST(MultiHeadAttention, EvalIgnoresDropoutAndGivesContextLayout) {
  torch::manual_seed(3);
  const auto q = torch::randn({2, 5, 3, 4}), k = torch::randn({2, 5, 3, 4}), v = torch::randn({2, 5, 3, 4});
  const auto y = multi_head_attention(q, k, v, {}, 2.0, 0.5, /*training=*/false);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 5, 12}));
  EXPECT_TENSOR_NEAR(y, eager(q, k, v, {}, 2.0, 0.0), 1e-6, 1e-6);
}

// bfloat16 takes the eager path; LLaMA's softmax runs in float32 and is cast back, BART's and
// GPT-2's stays in bfloat16 (transformers v4.40.2).
TEST(MultiHeadAttention, Bfloat16SoftmaxUpcastOnlyWhenAsked) {
  torch::manual_seed(5);
  const auto o = torch::TensorOptions().dtype(torch::kBFloat16);
  const auto q = torch::randn({2, 6, 3, 8}, o) * 3, k = torch::randn({2, 6, 3, 8}, o) * 3;
  const auto v = torch::randn({2, 6, 3, 8}, o);
  const auto mask = torch::zeros({2, 1, 1, 6}, o);
  mask.narrow(3, 4, 2).narrow(0, 0, 1).fill_(-10000.0);
  auto reference = [&](bool upcast) {
    const auto scores = torch::matmul(q.transpose(1, 2), k.permute({0, 2, 3, 1})) / 2.0 + mask;  // [B, H, T, S]
    const auto probs = upcast ? torch::softmax(scores, -1, torch::kFloat32).to(torch::kBFloat16)
                              : torch::softmax(scores, -1);
    return torch::matmul(probs, v.transpose(1, 2)).transpose(1, 2).reshape({2, 6, -1});
  };
  const auto upcast = multi_head_attention(q, k, v, mask, 2.0, 0.0, false, /*softmax_in_float32=*/true);
  const auto plain = multi_head_attention(q, k, v, mask, 2.0, 0.0, false);
  EXPECT_EQ(upcast.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::equal(upcast, reference(true)));
  EXPECT_TRUE(torch::equal(plain, reference(false)));
  // The flag is a no-op for float32.
  const auto q32 = q.to(torch::kFloat32), k32 = k.to(torch::kFloat32), v32 = v.to(torch::kFloat32);
  EXPECT_TRUE(torch::equal(multi_head_attention(q32, k32, v32, {}, 2.0, 0.0, false, true),
                           multi_head_attention(q32, k32, v32, {}, 2.0, 0.0, false, false)));
}

TEST(MultiHeadAttention, RejectsMismatchedShapes) {
  const auto q = torch::randn({2, 5, 3, 4}), k = torch::randn({2, 5, 3, 4});
  EXPECT_THROW(multi_head_attention(q, k, torch::randn({2, 6, 3, 4}), {}, 2.0, 0.0, true), Error);
  EXPECT_THROW(multi_head_attention(q, torch::randn({2, 5, 2, 4}), torch::randn({2, 5, 2, 4}), {}, 2.0, 0.0, true),
               Error);
  EXPECT_THROW(multi_head_attention(q.flatten(2), k, k, {}, 2.0, 0.0, true), Error);
}

}  // namespace
}  // namespace adalora::nn
