// The paper's ablation scores (Table 5) and state round trips of the allocator; PEFT's own scoring
// is covered by golden_adalora_tests.
#include "adalora/peft/adalora/rank_allocator.h"

#include <gtest/gtest.h>

#include "tests/support/tensor_asserts.h"

namespace adalora::peft {
namespace {

std::vector<AdaptedMatrix> two_matrices() {
  std::vector<AdaptedMatrix> out;
  for (int i = 0; i < 2; ++i) {
    SvdAdapterOptions o;
    o.in_features = 6;
    o.out_features = 5;
    o.r = 3;
    o.dtype = torch::kFloat64;
    auto a = std::make_shared<SvdAdapter>(o);
    torch::NoGradGuard ng;
    for (auto* t : {&a->lora_A, &a->lora_B, &a->lora_E}) {
      t->normal_();
      t->mutable_grad() = torch::randn_like(*t);
    }
    out.push_back({"layer." + std::to_string(i), a});
  }
  return out;
}

AdaLoraConfig config_with(ImportanceScore score) {
  AdaLoraConfig c;
  c.init_r = 3;
  c.target_r = 1;
  c.total_step = 10;
  c.targets.names = {"layer"};
  c.score = score;
  return c;
}

TEST(RankAllocatorTest, MagnitudeScoreIsAbsoluteLambda) {
  auto matrices = two_matrices();
  RankAllocator allocator(matrices, config_with(ImportanceScore::Magnitude));
  auto expected = torch::cat({matrices[0].adapter->lora_E.abs().view(-1), matrices[1].adapter->lora_E.abs().view(-1)});
  EXPECT_TENSOR_NEAR(allocator.triplet_scores(), expected, 0, 0);
  auto r = allocator.mask_to_budget(2);  // keep the two largest |λ|
  EXPECT_EQ(allocator.total_rank(), 2);
  EXPECT_EQ(r.k, 4);
}

TEST(RankAllocatorTest, SensitivityScoreIgnoresUncertainty) {
  auto matrices = two_matrices();
  RankAllocator allocator(matrices, config_with(ImportanceScore::Sensitivity));
  allocator.update_importance();
  const auto& s = allocator.importance()[0];
  auto expected_first = s[2].exp_avg_ipt.view(-1) +
                        (s[0].exp_avg_ipt.mean(1) + s[1].exp_avg_ipt.mean(0));
  EXPECT_TENSOR_NEAR(allocator.triplet_scores().narrow(0, 0, 3), expected_first, 1e-15, 1e-12);
}

TEST(RankAllocatorTest, StateTensorsRoundTrip) {
  auto matrices = two_matrices();
  RankAllocator a(matrices, config_with(ImportanceScore::SensitivityUncertainty));
  a.update_importance();
  a.update_importance();
  std::map<std::string, torch::Tensor> saved;
  for (auto& [n, t] : a.state_tensors()) saved[n] = t.clone();
  EXPECT_EQ(saved.size(), 18u);  // 2 matrices × 3 tensors × 3 states
  RankAllocator b(matrices, config_with(ImportanceScore::SensitivityUncertainty));
  b.load_state_tensors(saved);
  EXPECT_TRUE(torch::equal(a.triplet_scores(), b.triplet_scores()));
}

TEST(RankAllocatorTest, MaskWithoutGradientsSaysWhatToDo) {
  auto matrices = two_matrices();
  for (auto& m : matrices) m.adapter->lora_A.mutable_grad() = torch::Tensor();
  RankAllocator a(matrices, config_with(ImportanceScore::SensitivityUncertainty));
  try {
    a.update_importance();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no gradient"), std::string::npos) << e.what();
  }
}

TEST(AdaLoraConfigTest, ValidationNamesTheField) {
  AdaLoraConfig c;
  c.total_step = 100;
  c.targets.names = {"query"};
  EXPECT_NO_THROW(c.validate());
  auto expect_field = [](AdaLoraConfig bad, const std::string& field) {
    try {
      bad.validate();
      ADD_FAILURE() << "accepted an invalid " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  auto bad = c; bad.target_r = 12; expect_field(bad, "target_r");
  bad = c; bad.deltaT = 0; expect_field(bad, "deltaT");
  bad = c; bad.tinit = 60; bad.tfinal = 40; expect_field(bad, "tinit/tfinal");
  bad = c; bad.beta1 = 1.0; expect_field(bad, "beta1");
  bad = c; bad.beta2 = 0.0; expect_field(bad, "beta2");
  bad = c; bad.orth_reg_weight = -0.1; expect_field(bad, "orth_reg_weight");
  bad = c; bad.targets.names.clear(); expect_field(bad, "target_modules");
}

}  // namespace
}  // namespace adalora::peft
