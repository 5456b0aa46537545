// AdamW parameter groups on a small module laid out like an HF encoder layer.
#include "adalora/train/optimizer.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

// embeddings.{word_embeddings, LayerNorm}, layer.{dense, output_layer_norm}, a frozen head.
struct TinyEncoder : torch::nn::Module {
  TinyEncoder() {
    embeddings = register_module("embeddings", std::make_shared<torch::nn::Module>());
    word_embeddings = embeddings->register_module("word_embeddings", torch::nn::Embedding(10, 4));
    layer_norm = embeddings->register_module(
        "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({4})));
    dense = register_module("dense", torch::nn::Linear(4, 4));
    output_norm =
        register_module("final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({4})));
    frozen = register_module("classifier", torch::nn::Linear(4, 2));
    for (auto& p : frozen->parameters()) p.requires_grad_(false);
  }
  std::shared_ptr<torch::nn::Module> embeddings;
  torch::nn::Embedding word_embeddings{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm output_norm{nullptr};
  torch::nn::Linear frozen{nullptr};
};

TEST(OptimizerTest, NoDecayRuleByName) {
  EXPECT_TRUE(is_no_decay_parameter("encoder.layer.0.attention.self.query_proj.bias"));
  EXPECT_TRUE(is_no_decay_parameter("encoder.layer.0.output.LayerNorm.weight"));
  EXPECT_TRUE(is_no_decay_parameter("model.decoder.layers.0.self_attn_layer_norm.weight"));
  EXPECT_TRUE(is_no_decay_parameter("model.layers.0.input_layernorm.weight"));
  EXPECT_TRUE(is_no_decay_parameter("model.norm.weight"));
  EXPECT_TRUE(is_no_decay_parameter("transformer.h.0.ln_1.weight"));
  EXPECT_TRUE(is_no_decay_parameter("transformer.ln_f.weight"));
  EXPECT_FALSE(is_no_decay_parameter("encoder.layer.0.attention.self.query_proj.weight"));
  EXPECT_FALSE(is_no_decay_parameter("encoder.layer.0.attention.self.query_proj.lora_E"));
  EXPECT_FALSE(is_no_decay_parameter("embeddings.word_embeddings.weight"));
  EXPECT_FALSE(is_no_decay_parameter("weight"));
}

TEST(OptimizerTest, GroupsFollowHfTrainerAndSkipFrozen) {
  TinyEncoder model;
  const ParameterGroups groups = split_parameter_groups(model);
  EXPECT_EQ(groups.decay_names,
            (std::vector<std::string>{"embeddings.word_embeddings.weight", "dense.weight"}));
  EXPECT_EQ(
      groups.no_decay_names,
      (std::vector<std::string>{"embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
                                "dense.bias", "final_layer_norm.weight", "final_layer_norm.bias"}));
  EXPECT_EQ(groups.decay.size(), 2u);
  EXPECT_EQ(groups.no_decay.size(), 5u);
}

TEST(OptimizerTest, AdamWHasTwoGroupsWithTheirDecayAndSettableLr) {
  TinyEncoder model;
  AdamWConfig config;
  config.learning_rate = 1e-3;
  config.weight_decay = 0.01;
  auto optimizer = build_adamw(model, config);
  ASSERT_EQ(optimizer->param_groups().size(), 2u);
  const auto& decay =
      static_cast<const torch::optim::AdamWOptions&>(optimizer->param_groups()[0].options());
  const auto& no_decay =
      static_cast<const torch::optim::AdamWOptions&>(optimizer->param_groups()[1].options());
  EXPECT_EQ(optimizer->param_groups()[0].params().size(), 2u);
  EXPECT_EQ(optimizer->param_groups()[1].params().size(), 5u);
  EXPECT_EQ(decay.weight_decay(), 0.01);
  EXPECT_EQ(no_decay.weight_decay(), 0.0);
  EXPECT_EQ(std::get<0>(decay.betas()), 0.9);
  EXPECT_EQ(std::get<1>(decay.betas()), 0.999);
  EXPECT_EQ(decay.eps(), 1e-8);
  EXPECT_EQ(decay.lr(), 1e-3);

  set_learning_rate(*optimizer, 2.5e-4);
  for (const auto& group : optimizer->param_groups()) EXPECT_EQ(group.options().get_lr(), 2.5e-4);
}

TEST(OptimizerTest, DecayOnlyTouchesGroupZero) {
  // One AdamW step with zero gradients: m = v = 0, so the update is only the decoupled decay
  // p ← p − lr·wd·p on group 0; group 1 does not move.
  TinyEncoder model;
  AdamWConfig config;
  config.learning_rate = 0.1;
  config.weight_decay = 0.5;
  auto optimizer = build_adamw(model, config);
  const torch::Tensor dense_before = model.dense->weight.detach().clone();
  const torch::Tensor bias_before = model.dense->bias.detach().clone();
  for (auto& p : model.parameters()) {
    if (p.requires_grad()) p.mutable_grad() = torch::zeros_like(p);
  }
  optimizer->step();
  EXPECT_TRUE(torch::allclose(model.dense->weight, dense_before * (1.0 - 0.1 * 0.5)));
  EXPECT_TRUE(torch::equal(model.dense->bias, bias_before));
}

TEST(OptimizerTest, NothingTrainableIsAnError) {
  torch::nn::Linear frozen(2, 2);
  for (auto& p : frozen->parameters()) p.requires_grad_(false);
  try {
    build_adamw(*frozen, AdamWConfig{});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "optimizer: parameters: expected at least one with requires_grad, got none "
                 "(was a PEFT method attached?)");
  }
}

}  // namespace
}  // namespace adalora::train
