#include "adalora/nn/linear.h"

#include "adalora/core/error.h"

#include <gtest/gtest.h>

#include "tests/support/tensor_asserts.h"

namespace adalora::nn {
namespace {

// A rank-1 additive adapter used to test the layer's contract independently of any PEFT method.
class ScaleAdapter : public Adapter {
 public:
  ScaleAdapter(int64_t in, int64_t out) {
    u = register_parameter("lora_u", torch::randn({out, 1}, torch::kFloat64));
    v = register_parameter("lora_v", torch::randn({1, in}, torch::kFloat64));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y) override {
    return y + torch::matmul(torch::matmul(x, v.t()), u.t());
  }
  torch::Tensor delta_weight() const override { return torch::matmul(u, v); }
  const char* method() const override { return "test"; }
  torch::Tensor u, v;
};

TEST(LinearTest, BaseMatchesTorchLinear) {
  Linear layer(5, 3);
  auto x = torch::randn({2, 4, 5});
  EXPECT_TENSOR_NEAR(layer(x), torch::linear(x, layer->weight, layer->bias), 0, 0);
  EXPECT_EQ(layer->weight.sizes(), (std::vector<int64_t>{3, 5}));
}

TEST(LinearTest, FanInFanOutUsesTransposedWeight) {
  Linear layer(LinearOptions{5, 3, true, true});
  EXPECT_EQ(layer->weight.sizes(), (std::vector<int64_t>{5, 3}));
  auto x = torch::randn({4, 5});
  EXPECT_TENSOR_NEAR(layer(x), torch::matmul(x, layer->weight) + layer->bias, 1e-6, 1e-6);
}

TEST(LinearTest, AttachRegistersAdapterTensorsUnderTheirNames) {
  Linear layer(LinearOptions{5, 3, true, false});
  layer->to(torch::kFloat64);
  layer->attach(std::make_shared<ScaleAdapter>(5, 3));
  auto params = layer->named_parameters();
  EXPECT_TRUE(params.contains("lora_u"));
  EXPECT_TRUE(params.contains("lora_v"));
  EXPECT_THROW(layer->attach(std::make_shared<ScaleAdapter>(5, 3)), adalora::Error);
}

TEST(LinearTest, MergeUnmergeAndDisableAgree) {
  Linear layer(LinearOptions{6, 4, true, false});
  layer->to(torch::kFloat64);
  layer->attach(std::make_shared<ScaleAdapter>(6, 4));
  auto x = torch::randn({3, 6}, torch::kFloat64);
  auto w0 = layer->weight.clone();
  auto y_adapted = layer(x);
  auto y_base = layer->base_forward(x);
  EXPECT_GT((y_adapted - y_base).abs().max().item<double>(), 1e-3);
  layer->merge();
  EXPECT_TENSOR_NEAR(layer(x), y_adapted, 1e-12, 1e-12);
  layer->set_adapter_enabled(false);
  EXPECT_FALSE(layer->merged());
  EXPECT_TENSOR_NEAR(layer(x), y_base, 1e-12, 1e-12);
  EXPECT_TENSOR_NEAR(layer->weight, w0, 1e-12, 1e-12);
}

}  // namespace
}  // namespace adalora::nn
