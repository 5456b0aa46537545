// The paper's comparison methods with values checked by hand: pruned LoRA zeroes exactly the
// doublets with the lowest scores; SVD-LoRA's budget never changes; LoRA-regu's penalty is
// ‖AAᵀ − I‖ + ‖BᵀB − I‖ in PEFT's and the paper's forms; a Houlsby adapter starts as the identity;
// the paper's parameter counts; the registry's flags and loaders.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/bottleneck_adapter.h"
#include "adalora/peft/parameter_count.h"
#include "adalora/peft/registry.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"
#include "tests/support/toy_adalora_model.h"

namespace adalora::peft {
namespace {

using testing::ToyModel;

// query: A [2, 24], B [16, 2]; value: A [2, 16], B [24, 2].
TEST(PrunedLoraTest, ZeroesExactlyTheLowestScoringDoublets) {
  ToyModel model(torch::kFloat64);
  const io::Json config = {{"r", 2}, {"target_r", 1}, {"tinit", 0}, {"tfinal", 1}, {"deltaT", 1},
                           {"beta1", 0.5}, {"beta2", 0.5}, {"importance_score", "sensitivity"},
                           {"target_modules", {"query", "value"}}};
  auto method = make_method("pruned_lora", *model, config, /*total_step=*/2);
  auto t = method->trainable();
  ASSERT_EQ(t.size(), 4u);  // query A, B; value A, B
  // Weights 1 and gradients g give s = Ī = (1 − β₁)|1·g| = g/2 after one update; the doublet
  // score is mean over A's row + mean over B's column. query: doublet 0 → 3 + 3, doublet 1 → 1 + 1;
  // value: doublet 0 → 0.5 + 0.5, doublet 1 → 4 + 4. b(0) = 4, b(T) = 2: the force mask at
  // step T − tfinal = 1 prunes the two lowest (query 1, value 0).
  const double g[2][2] = {{6, 2}, {1, 8}};
  {
    torch::NoGradGuard no_grad;
    for (int m = 0; m < 2; ++m) {
      auto& A = t[2 * m].second;
      auto& B = t[2 * m + 1].second;
      A.fill_(1.0);
      B.fill_(1.0);
      auto ga = torch::ones_like(A), gb = torch::ones_like(B);
      for (int i = 0; i < 2; ++i) {
        ga[i].fill_(g[m][i]);
        gb.select(1, i).fill_(g[m][i]);
      }
      A.mutable_grad() = ga;
      B.mutable_grad() = gb;
    }
  }
  StepReport r0 = method->after_optimizer_step(0);  // warm-up: importance only
  EXPECT_FALSE(r0.masked);
  EXPECT_EQ(r0.total_rank, 4);
  StepReport r1 = method->after_optimizer_step(1);  // force mask to b(T) = 2
  EXPECT_TRUE(r1.masked);
  EXPECT_EQ(r1.budget, 2);
  EXPECT_EQ(r1.total_rank, 2);
  const auto& qa = t[0].second;
  const auto& qb = t[1].second;
  const auto& va = t[2].second;
  const auto& vb = t[3].second;
  EXPECT_TRUE(torch::all(qa[0] == 1).item<bool>());
  EXPECT_TRUE(torch::all(qa[1] == 0).item<bool>());
  EXPECT_TRUE(torch::all(qb.select(1, 0) == 1).item<bool>());
  EXPECT_TRUE(torch::all(qb.select(1, 1) == 0).item<bool>());
  EXPECT_TRUE(torch::all(va[0] == 0).item<bool>());
  EXPECT_TRUE(torch::all(va[1] == 1).item<bool>());
  EXPECT_TRUE(torch::all(vb.select(1, 0) == 0).item<bool>());
  EXPECT_TRUE(torch::all(vb.select(1, 1) == 1).item<bool>());
  // A pruned doublet stays zero after the optimizer moves it (momentum, weight decay).
  {
    torch::NoGradGuard no_grad;
    qa.add_(0.5);
  }
  method->after_optimizer_step(2);
  EXPECT_TRUE(torch::all(qa[1] == 0).item<bool>());
  EXPECT_TRUE(torch::all(qa[0] == 1.5).item<bool>());

  // Saved as PEFT LoRA at the kept ranks with the scale α/r kept by alpha_pattern.
  testing::TempDir dir;
  method->save(dir.path());
  const auto saved = io::load_json_file(dir.file("adapter_config.json"));
  EXPECT_EQ(saved.at("peft_type"), "LORA");
  EXPECT_EQ(saved.at("rank_pattern").at("encoder.layer.0.attention.query"), 1);
  EXPECT_DOUBLE_EQ(saved.at("alpha_pattern").at("encoder.layer.0.attention.query").get<double>(), 4.0);  // 8/2 · 1
  EXPECT_EQ(method->kept_parameter_count(), 1 * (24 + 16) + 1 * (16 + 24));
}

TEST(PrunedLoraTest, RefusesTheMagnitudeScoreAndAGrowingBudget) {
  ToyModel model(torch::kFloat32);
  io::Json config = {{"r", 2}, {"target_r", 1}, {"tfinal", 1}, {"importance_score", "magnitude"},
                     {"target_modules", {"query"}}};
  EXPECT_THROW(make_method("pruned_lora", *model, config, 4), Error);
  config["importance_score"] = "ipt";
  config["target_r"] = 2;
  try {
    make_method("pruned_lora", *model, config, 4);
    FAIL() << "target_r = r accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pruned_lora config: target_r"), std::string::npos) << e.what();
  }
}

TEST(SvdLoraTest, BudgetNeverChangesAndReloads) {
  torch::manual_seed(3);
  ToyModel model(torch::kFloat64);
  auto method = make_method("svd_lora", *model, {{"r", 3}, {"target_modules", {"query", "value", "dense"}}}, 5);
  EXPECT_STREQ(method->name(), "svd_lora");
  std::vector<torch::Tensor> params;
  for (const auto& [n, t] : method->trainable()) params.push_back(t);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-2));
  for (int64_t step = 0; step < 5; ++step) {
    auto loss = method->add_regularizer(model(torch::randn({4, 112}, torch::kFloat64)).pow(2).mean());
    loss.backward();
    opt.step();
    const StepReport r = method->after_optimizer_step(step);
    EXPECT_EQ(r.budget, 12) << step;  // 3 × 4 matrices, every step
    EXPECT_EQ(r.total_rank, 12) << step;
    EXPECT_FALSE(r.masked);
    opt.zero_grad();
  }
  for (const auto& [n, t] : method->trainable()) {
    if (n.size() > 7 && n.substr(n.size() - 7) == ".lora_E") {
      EXPECT_TRUE(torch::all(t != 0).item<bool>()) << n;
    }
  }
  testing::TempDir dir;
  method->save(dir.path());
  const auto saved = io::load_json_file(dir.file("adapter_config.json"));
  EXPECT_EQ(saved.at("adalora_budget_allocation"), false);
  EXPECT_EQ(saved.at("init_r"), 3);
  EXPECT_TRUE(saved.at("rank_pattern").is_null());
  model->eval();
  const auto x = torch::randn({2, 112}, torch::kFloat64);
  const auto y = model(x).detach();
  torch::manual_seed(3);
  ToyModel fresh(torch::kFloat64);
  load_adapter(*fresh, dir.path());
  EXPECT_TENSOR_NEAR(fresh(x), y, 1e-12, 1e-12);
}

// One target (query, A [2, 24], B [16, 2]) with A = [e₀; 2e₁] and B = [e₀ e₁]:
// AAᵀ − I = diag(0, 3), BᵀB − I = 0.
TEST(LoraReguTest, PenaltyIsTheOrthogonalityOfAAndB) {
  for (const auto& [form, expected] : {std::pair<const char*, double>{"peft", (3.0 + 0.0) / 2}, {"paper", 9.0}}) {
    ToyModel model(torch::kFloat64);
    auto method = make_method("lora_regu", *model,
                              {{"r", 2}, {"orth_reg_weight", 0.1}, {"orth_reg_form", form}, {"target_modules", {"query"}}},
                              10);
    auto t = method->trainable();
    {
      torch::NoGradGuard no_grad;
      t[0].second.zero_();
      t[0].second[0][0] = 1;
      t[0].second[1][1] = 2;
      t[1].second.zero_();
      t[1].second[0][0] = 1;
      t[1].second[1][1] = 1;
    }
    const auto zero = torch::zeros({}, torch::kFloat64);
    EXPECT_NEAR(method->add_regularizer(zero).item<double>(), 0.1 * expected, 1e-12) << form;
  }
}

TEST(BottleneckTest, HoulsbyAtInitIsTheBaseModel) {
  for (const char* name : {"houlsby", "pfeiffer"}) {
    auto model = testing::tiny_model("bert", models::TaskHead::SequenceClassification, /*seed=*/2);
    models::ModelInputs in;
    in.input_ids = torch::tensor({{2, 7, 9, 11, 3}}, torch::kLong);
    const auto base = model->forward(in).logits;
    auto method = make_method(name, *model, {{"bottleneck_size", 4}}, 10);
    EXPECT_TRUE(torch::equal(model->forward(in).logits, base)) << name;
    // Hidden 32, d = 4: 2·4·32 + 4 + 32 = 292 per adapter; Houlsby 2 per layer, Pfeiffer 1; 2 layers.
    const int64_t adapters = std::string(name) == "houlsby" ? 4 : 2;
    EXPECT_EQ(method->trainable_parameter_count(), adapters * 292) << name;
    int64_t attention = 0;
    for (const auto& [n, t] : method->trainable()) {
      attention += n.find("attention.output.dense.adapter_up.weight") != std::string::npos;
    }
    EXPECT_EQ(attention, std::string(name) == "houlsby" ? 2 : 0) << name;
  }
}

TEST(BottleneckTest, LoadErrorsNameTheFileAndTensor) {
  auto model = testing::tiny_model("bert", models::TaskHead::SequenceClassification, 2);
  auto method = make_method("houlsby", *model, {{"bottleneck_size", 4}}, 10);
  testing::TempDir dir;
  method->save(dir.path());
  auto config = io::load_json_file(dir.file("adapter_config.json"));
  config["bottleneck_size"] = 5;
  io::save_json_file(dir.file("adapter_config.json"), config);
  auto fresh = testing::tiny_model("bert", models::TaskHead::SequenceClassification, 2);
  try {
    load_adapter(*fresh, dir.path());
    FAIL() << "a mis-shaped adapter loaded";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("adapter_model.safetensors"), std::string::npos) << what;
    EXPECT_NE(what.find("adapter_down.weight\": expected shape [5, 32]"), std::string::npos) << what;
  }
  EXPECT_THROW(make_method("houlsby", *fresh, {{"non_linearity", "softsign"}}, 10), Error);
}

TEST(ParameterCountTest, CountsAsThePaperDoes) {
  ToyModel model(torch::kFloat32);
  // Base: query 24·16+16, value 16·24+24, intermediate 32·32+32, output 40·8+8 = 2,192.
  auto lora = make_method("lora", *model, {{"r", 2}, {"target_modules", {"query", "value"}},
                                          {"modules_to_save", {"output.dense"}}}, 10);
  const auto c = paper_parameter_count(*lora, *model, {"output.dense"});
  EXPECT_EQ(c.base_parameters, 2192 - (40 * 8 + 8));  // the head is not base
  EXPECT_EQ(c.method_parameters, 2 * (24 + 16) + 2 * (16 + 24));  // the head is not counted
  EXPECT_DOUBLE_EQ(c.share(), 160.0 / 1864.0);

  ToyModel full_model(torch::kFloat32);
  auto full = make_method("full", *full_model, io::Json::object(), 10);
  const auto f = paper_parameter_count(*full, *full_model, {"output.dense"});
  EXPECT_EQ(f.method_parameters, f.base_parameters);
  EXPECT_DOUBLE_EQ(f.share(), 1.0);
}

TEST(MethodRegistryTest, RowsCarryFlagsAndLoaders) {
  EXPECT_EQ(cli_flag_name("deltaT"), "delta-t");
  EXPECT_EQ(cli_flag_name("orth_reg_weight"), "orth-reg-weight");
  for (const char* type : {"ADALORA", "LORA", "HOULSBY", "PFEIFFER", ""}) {
    ASSERT_NE(find_loader(type), nullptr) << type;
  }
  EXPECT_STREQ(find_loader("LORA")->name, "lora");  // pruned_lora and lora_regu write LoRA adapters
  EXPECT_STREQ(find_loader("ADALORA")->name, "adalora");
  EXPECT_EQ(find_loader("IA3"), nullptr);
  std::set<std::string> keys;
  for (const auto& k : method_config_keys()) EXPECT_TRUE(keys.insert(k.key).second) << k.key;
  for (const char* key : {"init_r", "r", "bottleneck_size", "non_linearity", "target_r", "orth_reg_form"}) {
    EXPECT_TRUE(keys.count(key)) << key;
  }
  for (const auto& e : methods()) {
    EXPECT_NO_THROW(find_method(e.name));
    EXPECT_TRUE(std::string(e.summary).size() > 0) << e.name;
  }
}

}  // namespace
}  // namespace adalora::peft
