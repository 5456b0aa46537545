// nn::shared_input_linears (one pass over the shared input for every adapter) against the layers'
// own forward, which it replaces: outputs and the gradients of x, every A, B, weight and bias, in
// float64, for a mix of adapted and plain layers with different ranks.
#include "adalora/nn/shared_input_linear.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

// y_base + s·(x·Aᵀ)·Bᵀ, given to the layer as a low-rank update (as LoRA and AdaLoRA do).
class LowRankTestAdapter : public Adapter {
 public:
  LowRankTestAdapter(int64_t r, int64_t in, int64_t out, double scale, bool separate_input = false)
      : scale_(scale), separate_input_(separate_input) {
    A = register_parameter("A", torch::randn({r, in}, torch::kFloat64));
    B = register_parameter("B", torch::randn({out, r}, torch::kFloat64));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) override {
    return y_base + torch::matmul(torch::matmul(x, A.t()), B.t()) * scale_;
  }
  std::optional<LowRankUpdate> low_rank_update(const torch::Tensor& x) override {
    // separate_input stands for adapter dropout: the update reads its own copy of x.
    return LowRankUpdate{A, B, scale_, separate_input_ ? x * 1.0 : torch::Tensor()};
  }
  torch::Tensor delta_weight() const override { return torch::matmul(B, A) * scale_; }
  const char* method() const override { return "test"; }

  torch::Tensor A, B;

 private:
  double scale_;
  bool separate_input_;
};

struct Layers {
  std::vector<Linear> linears;
  std::vector<LinearImpl*> raw() {
    std::vector<LinearImpl*> r;
    for (auto& l : linears) r.push_back(l.get());
    return r;
  }
};

// q adapted (r 4), k plain without bias, v adapted (r 3), o adapted (r 2, disabled).
Layers make_layers(bool trainable_weights, bool separate_input = false) {
  torch::manual_seed(5);
  Layers s;
  s.linears = {Linear(12, 9), Linear(LinearOptions{12, 9, /*bias=*/false}), Linear(12, 7), Linear(12, 5)};
  for (auto& l : s.linears) l->to(torch::kFloat64);
  s.linears[0]->attach(std::make_shared<LowRankTestAdapter>(4, 12, 9, 0.5, separate_input));
  s.linears[2]->attach(std::make_shared<LowRankTestAdapter>(3, 12, 7, 2.0));
  s.linears[3]->attach(std::make_shared<LowRankTestAdapter>(2, 12, 5, 1.0));
  s.linears[3]->set_adapter_enabled(false);
  for (auto& l : s.linears) {
    l->weight.set_requires_grad(trainable_weights);
    if (l->bias.defined()) l->bias.set_requires_grad(trainable_weights);
  }
  return s;
}

struct SharedInputResult {
  std::vector<torch::Tensor> ys, grads;  // grads: x, then every parameter in order
};

template <typename F>
SharedInputResult run(Layers& s, F f) {
  torch::manual_seed(9);
  auto x = torch::randn({2, 5, 12}, torch::kFloat64).requires_grad_(true);
  std::vector<torch::Tensor> params;
  for (auto& l : s.linears) {
    for (auto& p : l->parameters()) {
      p.mutable_grad() = torch::Tensor();
      params.push_back(p);
    }
  }
  const auto ys = f(x, s.raw());
  auto loss = torch::zeros({}, torch::kFloat64);
  torch::manual_seed(99);
  for (const auto& y : ys) loss = loss + (y * torch::randn_like(y)).sum();
  loss.backward();
  SharedInputResult r;
  for (const auto& y : ys) r.ys.push_back(y.detach());
  r.grads.push_back(x.grad().clone());
  for (const auto& p : params) r.grads.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  return r;
}

std::vector<torch::Tensor> reference(const torch::Tensor& x, const std::vector<LinearImpl*>& layers) {
  std::vector<torch::Tensor> ys;
  for (auto* l : layers) ys.push_back(l->forward(x));
  return ys;
}

void expect_same(const SharedInputResult& fast, const SharedInputResult& ref) {
  ASSERT_EQ(fast.ys.size(), ref.ys.size());
  for (size_t i = 0; i < fast.ys.size(); ++i) EXPECT_TENSOR_NEAR(fast.ys[i], ref.ys[i], 1e-12, 1e-12) << "output " << i;
  ASSERT_EQ(fast.grads.size(), ref.grads.size());
  for (size_t i = 0; i < fast.grads.size(); ++i) {
    ASSERT_EQ(fast.grads[i].defined(), ref.grads[i].defined()) << "gradient " << i;
    if (ref.grads[i].defined()) {
      EXPECT_TENSOR_NEAR(fast.grads[i], ref.grads[i], 1e-12, 1e-12) << "gradient " << i;
    }
  }
}

TEST(SharedInputLinearTest, MatchesLayerByLayerForwardAndBackwardFrozenBase) {
  auto fast_layers = make_layers(false), ref_layers = make_layers(false);
  expect_same(run(fast_layers, shared_input_linears), run(ref_layers, reference));
}

TEST(SharedInputLinearTest, MatchesLayerByLayerWithTrainableWeightsAndBiases) {
  auto fast_layers = make_layers(true), ref_layers = make_layers(true);
  expect_same(run(fast_layers, shared_input_linears), run(ref_layers, reference));
}

TEST(SharedInputLinearTest, FallsBackWhenAnAdapterReadsItsOwnInput) {
  auto fast_layers = make_layers(false, /*separate_input=*/true), ref_layers = make_layers(false, true);
  expect_same(run(fast_layers, shared_input_linears), run(ref_layers, reference));
}

TEST(SharedInputLinearTest, RejectsLayersOfAnotherInputWidth) {
  Linear a(12, 4), b(10, 4);
  EXPECT_THROW(shared_input_linears(torch::randn({3, 12}), {a.get(), b.get()}), Error);
}

}  // namespace
}  // namespace adalora::nn
