// The AdaLoRA core pinned by hand-computed values, so the algorithm is checked even where
// ../shared/golden is absent: budget schedule (eq. 12), importance EMAs (eq. 8-11), the SVD
// adapter's ΔW and pruning (eq. 3), configuration validation and the orthogonal regulariser.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/budget_schedule.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/adalora/importance.h"
#include "adalora/peft/adalora/orth_reg.h"
#include "adalora/peft/adalora/svd_adapter.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::peft {
namespace {

torch::Tensor t64(std::initializer_list<double> v) { return torch::tensor(std::vector<double>(v), torch::kFloat64); }

TEST(AdaLoraCoreTest, BudgetScheduleByHand) {
  const BudgetSchedule s{/*init_bgt=*/96, /*target_bgt=*/48, /*tinit=*/10, /*tfinal=*/20, /*deltaT=*/5,
                         /*total_step=*/100};
  EXPECT_EQ(s.at(0).budget, 96);   // warm-up, no mask
  EXPECT_FALSE(s.at(10).mask_ind);
  EXPECT_EQ(s.at(45).budget, 54);  // 48 + 48·(1 − 35/70)³ = 48 + 6
  EXPECT_TRUE(s.at(45).mask_ind);  // 45 % 5 == 0
  EXPECT_EQ(s.at(46).budget, 53);  // 48 + 48·(34/70)³ = 53.5003 → truncated
  EXPECT_FALSE(s.at(46).mask_ind);
  EXPECT_EQ(s.at(80).budget, 48);  // (1 − 70/70)³ = 0
  EXPECT_EQ(s.at(81).budget, 48);
  EXPECT_TRUE(s.at(81).mask_ind);  // final phase always masks
  EXPECT_EQ(s.action(46), AllocatorAction::UpdateImportance);
  EXPECT_EQ(s.action(45), AllocatorAction::UpdateImportanceAndMask);
  EXPECT_EQ(s.action(80), AllocatorAction::ForceMaskAndReset);
  EXPECT_EQ(s.action(81), AllocatorAction::ApplyRankPattern);
}

TEST(AdaLoraCoreTest, ImportanceEmasByHand) {
  // w = [1, −2], ∇w = [3, 0.5] → I = |w·∇w| = [3, 1]; β₁ = 0.5, β₂ = 0.25.
  ImportanceState state;
  const auto w = t64({1, -2}), g = t64({3, 0.5});
  update_importance(state, w, g, 0.5, 0.25);
  EXPECT_TENSOR_NEAR(state.ipt, t64({3, 1}), 0, 0);
  EXPECT_TENSOR_NEAR(state.exp_avg_ipt, t64({1.5, 0.5}), 0, 0);      // 0.5·0 + 0.5·I
  EXPECT_TENSOR_NEAR(state.exp_avg_unc, t64({1.125, 0.375}), 0, 0);  // 0.75·|I − Ī|, the new Ī
  EXPECT_TENSOR_NEAR(element_score(state, ImportanceScore::SensitivityUncertainty), t64({1.6875, 0.1875}), 0, 0);
  update_importance(state, w, g, 0.5, 0.25);
  EXPECT_TENSOR_NEAR(state.exp_avg_ipt, t64({2.25, 0.75}), 0, 0);
  EXPECT_TENSOR_NEAR(state.exp_avg_unc, t64({0.84375, 0.28125}), 0, 0);  // 0.25·Ū + 0.75·|I − Ī|
  EXPECT_TENSOR_NEAR(element_score(state, ImportanceScore::SensitivityUncertainty),
                     t64({1.8984375, 0.2109375}), 0, 0);
  EXPECT_TENSOR_NEAR(element_score(state, ImportanceScore::Sensitivity), t64({2.25, 0.75}), 0, 0);
}

std::shared_ptr<SvdAdapter> adapter_2x2(const torch::Tensor& A, const torch::Tensor& E, const torch::Tensor& B) {
  SvdAdapterOptions o;
  o.in_features = A.size(1);
  o.out_features = B.size(0);
  o.r = A.size(0);
  o.lora_alpha = 4;
  o.dtype = torch::kFloat64;
  auto a = std::make_shared<SvdAdapter>(o);
  torch::NoGradGuard ng;
  a->lora_A.copy_(A);
  a->lora_E.copy_(E);
  a->lora_B.copy_(B);
  return a;
}

TEST(AdaLoraCoreTest, SvdAdapterDeltaForwardAndPruneByHand) {
  // A = I, λ = [2, 3], B = [[1, 1], [0, 1]]: B·diag(λ)·A = [[2, 3], [0, 3]]; scale = 4 / (2 + 1e-5).
  auto a = adapter_2x2(torch::eye(2, torch::kFloat64), t64({2, 3}).view({2, 1}),
                       t64({1, 1, 0, 1}).view({2, 2}));
  const double s = 4.0 / (2.0 + 1e-5);
  EXPECT_DOUBLE_EQ(a->scale(), s);
  EXPECT_TENSOR_NEAR(a->delta_weight(), t64({2, 3, 0, 3}).view({2, 2}) * s, 1e-15, 0);
  const auto x = t64({1, 1}).view({1, 2});
  EXPECT_TENSOR_NEAR(a->forward(x, torch::zeros({1, 2}, torch::kFloat64)), t64({5, 3}).view({1, 2}) * s, 1e-14, 0);
  a->prune({true, false});  // keeps triplet 0; ranknum (the scale) stays
  EXPECT_EQ(a->rank(), 1);
  EXPECT_DOUBLE_EQ(a->scale(), s);
  EXPECT_TENSOR_NEAR(a->delta_weight(), t64({2, 0, 0, 0}).view({2, 2}) * s, 1e-15, 0);
}

TEST(AdaLoraCoreTest, ConfigValidationNamesTheField) {
  AdaLoraConfig ok;
  ok.init_r = 4;
  ok.target_r = 2;
  ok.total_step = 10;
  ok.targets.names = {"query"};
  EXPECT_NO_THROW(ok.validate());
  auto message = [&](const std::function<void(AdaLoraConfig&)>& edit) {
    AdaLoraConfig c = ok;
    edit(c);
    try {
      c.validate();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(message([](auto& c) { c.target_r = 4; }).rfind("adalora config: target_r: expected < init_r = 4", 0), 0u);
  EXPECT_EQ(message([](auto& c) { c.deltaT = 0; }).rfind("adalora config: deltaT: expected ≥ 1", 0), 0u);
  EXPECT_EQ(message([](auto& c) { c.tinit = 5; c.tfinal = 5; }).rfind("adalora config: tinit/tfinal:", 0), 0u);
  EXPECT_EQ(message([](auto& c) { c.beta1 = 1; }).rfind("adalora config: beta1:", 0), 0u);
  EXPECT_EQ(message([](auto& c) { c.total_step = 0; }).rfind("adalora config: total_step:", 0), 0u);
  EXPECT_EQ(message([](auto& c) { c.targets.names.clear(); }).rfind("adalora config: target_modules:", 0), 0u);
}

TEST(AdaLoraCoreTest, OrthRegPeftFormValueAndGradientByHand) {
  // A = diag(1, 2): ‖AAᵀ − I‖_F = ‖diag(0, 3)‖ = 3; B = I: ‖BᵀB − I‖_F = 0. A rank-0 adapter adds
  // nothing but counts in N = 2 × matrices = 4, so R = 3 / 4.
  auto a = adapter_2x2(t64({1, 0, 0, 2}).view({2, 2}), t64({1, 1}).view({2, 1}), torch::eye(2, torch::kFloat64));
  SvdAdapterOptions zero;
  zero.in_features = 2;
  zero.out_features = 2;
  zero.r = 0;
  zero.dtype = torch::kFloat64;
  auto empty = std::make_shared<SvdAdapter>(zero);
  a->lora_A.set_requires_grad(true);
  const auto r = orthogonal_regularizer({a, empty}, OrthRegForm::PeftMean);
  EXPECT_DOUBLE_EQ(r.item<double>(), 0.75);
  r.backward();
  // d‖M‖/dA = 2·M·A / ‖M‖ with M = diag(0, 3): diag(0, 4); divided by N = 4.
  EXPECT_TENSOR_NEAR(a->lora_A.grad(), t64({0, 0, 0, 1}).view({2, 2}), 1e-15, 0);
  // The paper's form: squared norms, summed: 3² + 0.
  EXPECT_DOUBLE_EQ(orthogonal_regularizer({a}, OrthRegForm::PaperSquared).item<double>(), 9.0);
}

TEST(AdaLoraCoreTest, OrthogonalityDeviationIsFigure4sSquaredNormsSummedOverMatrices) {
  // Q = A = diag(1, 2): ‖QQᵀ − I‖²_F = 3² = 9; P = B = [[2, 0], [0, 1]]: ‖PᵀP − I‖²_F = 3² = 9;
  // a second matrix with Q = I and P = 0: ‖−I‖²_F = 2 for P, 0 for Q.
  auto a = adapter_2x2(t64({1, 0, 0, 2}).view({2, 2}), t64({1, 1}).view({2, 1}), t64({2, 0, 0, 1}).view({2, 2}));
  auto b = adapter_2x2(torch::eye(2, torch::kFloat64), t64({1, 1}).view({2, 1}), torch::zeros({2, 2}, torch::kFloat64));
  const OrthogonalityDeviation d = orthogonality_deviation({a, b});
  EXPECT_DOUBLE_EQ(d.q, 9.0);
  EXPECT_DOUBLE_EQ(d.p, 9.0 + 2.0);
}

}  // namespace
}  // namespace adalora::peft
