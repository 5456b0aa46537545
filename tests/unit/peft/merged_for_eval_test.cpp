// peft::MergedForEval: merged logits equal the adapter path's (float32, 1e-5), the weights come
// back bit for bit, and layers that must not be merged (training mode) are left alone.
#include <gtest/gtest.h>

#include "adalora/peft/merged_for_eval.h"
#include "adalora/peft/registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::peft {
namespace {

struct Case {
  std::string method;
  io::Json config;
};

class MergedForEvalTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    model_ = testing::tiny_model("bert");
    method_ = make_method(GetParam().method, *model_, GetParam().config, /*total_step=*/8);
    torch::manual_seed(1);
    torch::NoGradGuard no_grad;  // adapters away from their no-op initialisation
    for (auto& [name, t] : method_->trainable()) t.add_(torch::randn_like(t) * 0.1);
    model_->eval();
  }

  torch::Tensor logits() {
    torch::NoGradGuard no_grad;
    models::ModelInputs in;
    in.input_ids = torch::tensor({{2, 17, 33, 5, 9, 3}, {2, 40, 41, 3, 0, 0}}, torch::kLong);
    in.attention_mask = torch::tensor({{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}}, torch::kLong);
    return model_->forward(in).logits;  // [2, 3]
  }

  std::map<std::string, torch::Tensor> weights() const {
    std::map<std::string, torch::Tensor> w;
    for (const auto& p : model_->named_parameters()) w[p.key()] = p.value().detach().clone();
    return w;
  }

  models::ModelPtr model_;
  MethodPtr method_;
};

TEST_P(MergedForEvalTest, MergedLogitsEqualAdapterPathAndWeightsComeBackBitExact) {
  const auto before = weights();
  const auto unmerged = logits();
  {
    MergedForEval merged(*model_);
    EXPECT_EQ(merged.merged_layers(), 4) << "query and value of 2 layers";
    EXPECT_TENSOR_NEAR(logits(), unmerged, 1e-5, 1e-5);
    bool changed = false;
    for (const auto& [name, w] : weights()) changed = changed || !torch::equal(w, before.at(name));
    EXPECT_TRUE(changed) << "merging must write ΔW into the weights";
  }
  for (const auto& [name, w] : weights()) EXPECT_TRUE(torch::equal(w, before.at(name))) << name;
  EXPECT_TRUE(torch::equal(logits(), unmerged)) << "after the guard the adapter path runs again";
}

TEST_P(MergedForEvalTest, LeavesLayersInTrainingModeAlone) {
  model_->train();
  MergedForEval merged(*model_);
  EXPECT_EQ(merged.merged_layers(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Methods, MergedForEvalTest,
    ::testing::Values(Case{"adalora", {{"init_r", 4}, {"target_r", 2}, {"tinit", 1}, {"tfinal", 2}, {"deltaT", 1},
                                       {"lora_alpha", 8}, {"target_modules", {"query", "value"}}}},
                      Case{"lora", {{"r", 4}, {"lora_alpha", 8}, {"target_modules", {"query", "value"}}}}),
    [](const auto& info) { return info.param.method; });

}  // namespace
}  // namespace adalora::peft
