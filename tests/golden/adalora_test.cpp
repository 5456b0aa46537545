// AdaLoRA against HuggingFace PEFT's own numbers (shared/golden/adalora, README there).
//
// Data-driven: every file matching a scenario pattern in the golden folder is checked
// (schedule_tables*.json, allocator_unit_*.json, training_trajectory_*.json, orth_reg*.json,
// forward_merge*.json, edge_cases*.json, saved_adapter_*/), so a new file of the same format is
// covered without code changes. Tolerances: float64 relative 1e-12 (allocator) / 1e-10 (trajectory),
// float32 relative 1e-5; integers, booleans, shapes and mask decisions exact.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adalora/orth_reg.h"
#include "tests/golden/adalora_golden_common.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_device.h"
#include "tests/support/toy_adalora_model.h"

namespace adalora::peft {
namespace {

using io::Json;
using testing::tensor_from_json;
using namespace golden;  // NOLINT: kSub, dtype_of, load, scenario_files, param_name
namespace fs = std::filesystem;

std::string strip_default(std::string key) {
  const std::string suffix = ".default";
  if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
    key.resize(key.size() - suffix.size());
  }
  return key;
}

AdaLoraConfig config_from_golden(const Json& c) {
  AdaLoraConfig config;
  config.init_r = c.at("init_r").get<int64_t>();
  config.target_r = c.at("target_r").get<int64_t>();
  config.tinit = c.at("tinit").get<int64_t>();
  config.tfinal = c.at("tfinal").get<int64_t>();
  config.deltaT = c.at("deltaT").get<int64_t>();
  config.beta1 = c.at("beta1").get<double>();
  config.beta2 = c.at("beta2").get<double>();
  config.orth_reg_weight = c.at("orth_reg_weight").get<double>();
  config.total_step = c.at("total_step").get<int64_t>();
  config.lora_alpha = c.at("lora_alpha").get<double>();
  config.lora_dropout = c.value("lora_dropout", 0.0);
  config.targets.names = c.at("target_modules").get<std::vector<std::string>>();
  return config;
}

// A toy model with AdaLoRA attached, as the golden generator built it.
struct ToySetup {
  testing::ToyModel model;
  std::optional<AdaLora> adalora;

  /// toy_model: a file's "model" section (layers and base weights), or null for the README's
  /// four layers with random weights.
  ToySetup(const AdaLoraConfig& config, torch::ScalarType dtype, const Json* toy_model)
      : model(toy_model == nullptr
                  ? testing::ToyModel(static_cast<torch::Dtype>(dtype))
                  : testing::ToyModel(static_cast<torch::Dtype>(dtype), testing::toy_layer_specs_from_json(*toy_model))) {
    if (toy_model != nullptr) model->load_base_weights(toy_model->at("base_weights"));
    model->to(testing::test_device());  // ADALORA_TEST_DEVICE; the adapters follow the weights
    adalora.emplace(AdaLora::attach(*model, config));
  }

  const SvdAdapter& adapter(const std::string& module) const {
    for (const auto& m : adalora->matrices()) {
      if (m.name == module) return *m.adapter;
    }
    throw Error("no adapter for " + module);
  }

  // Sets lora_{A,B,E} (and their .grad when `with_grads`) from {"lora_A": tensor, "grad_lora_A": ...}.
  void set_params(const Json& per_module, torch::ScalarType dtype, bool with_grads) {
    torch::NoGradGuard no_grad;
    for (const auto& m : adalora->matrices()) {
      const auto& in = per_module.at(m.name);
      for (auto [name, t] : {std::pair<const char*, torch::Tensor*>{"lora_A", &m.adapter->lora_A},
                             {"lora_B", &m.adapter->lora_B},
                             {"lora_E", &m.adapter->lora_E}}) {
        t->copy_(tensor_from_json(in.at(name), dtype));
        if (with_grads) t->mutable_grad() = tensor_from_json(in.at(std::string("grad_") + name), dtype).to(t->device());
      }
    }
  }
};

void expect_pattern(const RankPattern& actual, const Json& expected, const std::string& where) {
  if (expected.is_null()) {
    EXPECT_TRUE(actual.empty()) << where << ": expected no rank pattern yet";
    return;
  }
  ASSERT_EQ(actual.size(), expected.size()) << where;
  for (const auto& [key, bits] : expected.items()) {
    auto it = actual.find(strip_default(key));
    ASSERT_NE(it, actual.end()) << where << ": missing pattern entry " << strip_default(key);
    EXPECT_EQ(it->second, bits.get<std::vector<bool>>()) << where << ": pattern of " << key;
  }
}

// ---------------------------------------------------------------------------------------------
// schedule_tables*.json: budget and mask_ind at every step, and the model-level action.

class ScheduleGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ScheduleGolden, EveryStepOfEveryTable) {
  REQUIRE_SCENARIO(GetParam());
  const Json file = load(GetParam());
  for (const auto& t : file.at("tables")) {
    const std::string name = t.at("name");
    BudgetSchedule s{t.at("init_bgt"), t.at("target_bgt"), t.at("tinit"),
                     t.at("tfinal"),   t.at("deltaT"),     t.at("total_step")};
    const int64_t first = t.at("steps_first");
    const int64_t last = t.at("steps_last");
    const auto& budget = t.at("budget");
    const auto& mask = t.at("mask_ind");
    ASSERT_EQ(static_cast<int64_t>(budget.size()), last - first + 1) << name;
    int mismatches = 0;
    for (int64_t step = first; step <= last && mismatches < 5; ++step) {
      const auto p = s.at(step);
      const int64_t i = step - first;
      if (p.budget != budget[i].get<int64_t>() || p.mask_ind != (mask[i].get<int>() != 0)) {
        ++mismatches;
        ADD_FAILURE() << GetParam() << " / " << name << " step " << step << ": budget " << p.budget
                      << " mask " << p.mask_ind << ", expected " << budget[i] << " mask " << mask[i];
      }
    }
    if (t.contains("model_level_action")) {
      const auto& actions = t.at("model_level_action");
      for (int64_t step = first; step <= last; ++step) {
        EXPECT_EQ(to_string(s.action(step)), actions[step - first].get<std::string>())
            << GetParam() << " / " << name << " step " << step;
      }
    }
    if (t.contains("model_level_action_change_points")) {
      for (const auto& cp : t.at("model_level_action_change_points")) {
        const int64_t step = cp[0];
        EXPECT_EQ(to_string(s.action(step)), cp[1].get<std::string>()) << name << " step " << step;
        if (step > first) {
          EXPECT_NE(to_string(s.action(step - 1)), cp[1].get<std::string>())
              << name << ": action should change at step " << step;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ScheduleGolden, ::testing::ValuesIn(scenario_files("schedule_tables", ".json")),
                         param_name);

// ---------------------------------------------------------------------------------------------
// Allocator scenarios (allocator_unit_*.json and the ties case of edge_cases.json).

const char* branch_name(AllocatorAction a) {
  switch (a) {
    case AllocatorAction::UpdateImportance:
    case AllocatorAction::UpdateImportanceAndMask: return "allocate";
    case AllocatorAction::ForceMaskAndReset: return "force_mask_and_reset";
    case AllocatorAction::ApplyRankPattern: return "mask_using_rank_pattern";
  }
  return "?";
}

void run_allocator_scenario(const std::string& label, const Json& config_json, const Json& steps,
                            torch::ScalarType dtype, double rtol) {
  ToySetup toy(config_from_golden(config_json), dtype, nullptr);
  for (const auto& step : steps) {
    const int64_t t = step.at("global_step");
    const std::string where = label + " step " + std::to_string(t);
    toy.set_params(step.at("inputs"), dtype, /*with_grads=*/true);
    const AllocationResult r = toy.adalora->update_and_allocate(t);
    if (step.contains("branch")) {
      EXPECT_EQ(branch_name(r.action), step.at("branch").get<std::string>()) << where;
    }
    EXPECT_EQ(r.budget, step.at("budget").get<int64_t>()) << where;
    EXPECT_EQ(r.mask_ind, step.at("mask_ind").get<bool>()) << where;
    const bool masked = step.contains("masked_by_threshold") ? step.at("masked_by_threshold").get<bool>()
                                                             : step.contains("threshold");
    ASSERT_EQ(r.masked, masked) << where;
    if (masked) {
      EXPECT_EQ(r.k, step.at("k").get<int64_t>()) << where;
      const double thr = step.at("threshold");
      EXPECT_NEAR(*r.threshold, thr, std::abs(thr) * rtol) << where << ": threshold";
      if (step.contains("triplet_scores")) {
        std::vector<torch::Tensor> parts;
        for (const auto& m : toy.adalora->matrices()) {
          parts.push_back(tensor_from_json(step.at("triplet_scores").at(m.name), dtype));
        }
        EXPECT_TENSOR_NEAR(r.triplet_scores, torch::cat(parts), 0, rtol) << where << ": triplet scores";
      }
      if (step.contains("triplet_scores_concat")) {
        EXPECT_TENSOR_NEAR(r.triplet_scores, tensor_from_json(step.at("triplet_scores_concat"), dtype), 0, rtol)
            << where << ": triplet scores";
      }
    }
    if (step.contains("allocator_state_after")) {
      const auto& states = toy.adalora->allocator().importance();
      const auto& matrices = toy.adalora->matrices();
      for (size_t i = 0; i < matrices.size(); ++i) {
        const auto& expected = step.at("allocator_state_after").at(matrices[i].name);
        const char* names[3] = {"lora_A", "lora_B", "lora_E"};
        for (int k = 0; k < 3; ++k) {
          const auto& e = expected.is_null() ? expected : expected.at(names[k]);
          if (e.is_null()) {
            EXPECT_FALSE(states[i][k].defined()) << where << ": state should be reset";
            continue;
          }
          ASSERT_TRUE(states[i][k].defined()) << where;
          EXPECT_TENSOR_NEAR(states[i][k].ipt, tensor_from_json(e.at("ipt"), dtype), 0, rtol) << where << " ipt";
          EXPECT_TENSOR_NEAR(states[i][k].exp_avg_ipt, tensor_from_json(e.at("exp_avg_ipt"), dtype), 0, rtol)
              << where << " exp_avg_ipt " << matrices[i].name << "." << names[k];
          EXPECT_TENSOR_NEAR(states[i][k].exp_avg_unc, tensor_from_json(e.at("exp_avg_unc"), dtype), 1e-300, rtol)
              << where << " exp_avg_unc " << matrices[i].name << "." << names[k];
        }
      }
    }
    for (const char* key : {"lora_E_after"}) {
      if (!step.contains(key)) continue;
      for (const auto& m : toy.adalora->matrices()) {
        auto expected = tensor_from_json(step.at(key).at(m.name), dtype);
        EXPECT_TENSOR_NEAR(m.adapter->lora_E, expected, 0, rtol) << where << ": lora_E of " << m.name;
        EXPECT_TRUE(torch::equal(m.adapter->lora_E == 0, expected == 0)) << where << ": zero pattern of " << m.name;
      }
    }
    if (step.contains("config_rank_pattern_after")) {
      expect_pattern(toy.adalora->config().rank_pattern, step.at("config_rank_pattern_after"), where);
    }
    if (step.contains("rank_per_module_after") && !step.at("rank_per_module_after").is_null()) {
      auto ranks = toy.adalora->allocator().ranks();
      for (const auto& mr : ranks) {
        EXPECT_EQ(mr.rank, step.at("rank_per_module_after").at(mr.name + ".lora_E.default").get<int64_t>())
            << where << ": rank of " << mr.name;
      }
    }
  }
}

class AllocatorGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(AllocatorGolden, EveryStepMatchesPeft) {
  REQUIRE_SCENARIO(GetParam());
  const Json file = load(GetParam());
  const auto dtype = dtype_of(file.at("dtype"));
  const double rtol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
  run_allocator_scenario(GetParam(), file.at("config"), file.at("steps"), dtype, rtol);
  // The final pattern of the file.
  ToySetup probe(config_from_golden(file.at("config")), dtype, nullptr);
  EXPECT_EQ(file.at("init_bgt").get<int64_t>(), probe.adalora->allocator().schedule().init_bgt);
  EXPECT_EQ(file.at("target_bgt").get<int64_t>(), probe.adalora->allocator().schedule().target_bgt);
}

INSTANTIATE_TEST_SUITE_P(Files, AllocatorGolden, ::testing::ValuesIn(scenario_files("allocator_unit", ".json")),
                         param_name);

// ---------------------------------------------------------------------------------------------
// training_trajectory_*.json: 12 SGD steps end to end, then save → reload → merge.

class TrajectoryGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TrajectoryGolden, TrainSaveReloadMerge) {
  REQUIRE_SCENARIO(GetParam());
  const Json file = load(GetParam());
  const auto dtype = dtype_of(file.at("dtype"));
  const bool f64 = dtype == torch::kFloat64;
  const double rtol = f64 ? 1e-10 : 1e-5;
  const double atol = f64 ? 1e-12 : 1e-6;
  const AdaLoraConfig config = config_from_golden(file.at("config"));
  ToySetup toy(config, dtype, &file.at("model"));
  toy.set_params(file.at("initial_adapter"), dtype, /*with_grads=*/false);
  for (const auto& m : toy.adalora->matrices()) {
    EXPECT_DOUBLE_EQ(m.adapter->ranknum.item<double>(), static_cast<double>(config.init_r));
  }
  torch::optim::SGD sgd(toy.adalora->parameters(), torch::optim::SGDOptions(file.at("optimizer").at("lr")));

  for (const auto& step : file.at("steps")) {
    const int64_t t = step.at("global_step");
    const std::string where = GetParam() + " step " + std::to_string(t);
    ASSERT_EQ(t, toy.adalora->global_step());
    for (const auto& m : toy.adalora->matrices()) {
      EXPECT_TENSOR_NEAR(m.adapter->lora_E, tensor_from_json(step.at("params_before_forward").at(m.name).at("lora_E"), dtype),
                         atol, rtol) << where << ": lora_E before forward, " << m.name;
    }
    auto x = tensor_from_json(step.at("x"), dtype).to(testing::test_device());
    auto y = tensor_from_json(step.at("y"), dtype).to(testing::test_device());
    auto logits = toy.model(x);
    EXPECT_TENSOR_NEAR(logits, tensor_from_json(step.at("logits"), dtype), atol, rtol) << where << ": logits";
    auto loss_base = (logits - y).pow(2).mean();
    auto loss = toy.adalora->add_regularizer(loss_base);
    EXPECT_NEAR(loss_base.item<double>(), step.at("loss_base").get<double>(), std::abs(step.at("loss_base").get<double>()) * rtol) << where;
    EXPECT_NEAR(loss.item<double>(), step.at("loss_total").get<double>(), std::abs(step.at("loss_total").get<double>()) * rtol) << where;
    loss.backward();
    for (const auto& m : toy.adalora->matrices()) {
      const auto& g = step.at("grads").at(m.name);
      EXPECT_TENSOR_NEAR(m.adapter->lora_A.grad(), tensor_from_json(g.at("lora_A"), dtype), atol, rtol) << where << " grad A " << m.name;
      EXPECT_TENSOR_NEAR(m.adapter->lora_B.grad(), tensor_from_json(g.at("lora_B"), dtype), atol, rtol) << where << " grad B " << m.name;
      EXPECT_TENSOR_NEAR(m.adapter->lora_E.grad(), tensor_from_json(g.at("lora_E"), dtype), atol, rtol) << where << " grad E " << m.name;
    }
    const AllocationResult r = toy.adalora->step(sgd);
    EXPECT_EQ(branch_name(r.action), step.at("branch").get<std::string>()) << where;
    EXPECT_EQ(r.budget, step.at("budget").get<int64_t>()) << where;
    EXPECT_EQ(r.mask_ind, step.at("mask_ind").get<bool>()) << where;
    if (step.contains("threshold")) {
      ASSERT_TRUE(r.masked) << where;
      EXPECT_EQ(r.k, step.at("k").get<int64_t>()) << where;
      EXPECT_NEAR(*r.threshold, step.at("threshold").get<double>(), std::abs(step.at("threshold").get<double>()) * rtol) << where;
      EXPECT_TENSOR_NEAR(r.triplet_scores, tensor_from_json(step.at("triplet_scores_concat"), dtype), atol, rtol) << where;
    }
    for (const auto& m : toy.adalora->matrices()) {
      const auto& after = step.at("params_after_optimizer_step").at(m.name);
      EXPECT_TENSOR_NEAR(m.adapter->lora_A, tensor_from_json(after.at("lora_A"), dtype), atol, rtol) << where;
      EXPECT_TENSOR_NEAR(m.adapter->lora_B, tensor_from_json(after.at("lora_B"), dtype), atol, rtol) << where;
      auto e = tensor_from_json(step.at("lora_E_after_allocate").at(m.name), dtype);
      EXPECT_TENSOR_NEAR(m.adapter->lora_E, e, atol, rtol) << where << ": lora_E after allocate, " << m.name;
      EXPECT_TRUE(torch::equal(m.adapter->lora_E == 0, e == 0)) << where << ": zero pattern, " << m.name;
    }
    if (!step.at("rank_per_module_after").is_null()) {
      for (const auto& mr : toy.adalora->allocator().ranks()) {
        EXPECT_EQ(mr.rank, step.at("rank_per_module_after").at(mr.name + ".lora_E.default").get<int64_t>()) << where;
      }
    }
  }
  expect_pattern(toy.adalora->config().rank_pattern, file.at("final_rank_pattern"), GetParam() + " final");
  for (const auto& m : toy.adalora->matrices()) {
    const auto& fa = file.at("final_adapter").at(m.name);
    EXPECT_TENSOR_NEAR(m.adapter->lora_A, tensor_from_json(fa.at("lora_A"), dtype), atol, rtol);
    EXPECT_TENSOR_NEAR(m.adapter->lora_E, tensor_from_json(fa.at("lora_E"), dtype), atol, rtol);
  }
  toy.model->eval();
  auto probe_x = tensor_from_json(file.at("probe").at("x"), dtype).to(testing::test_device());
  auto trained_logits = toy.model(probe_x).detach();
  EXPECT_TENSOR_NEAR(trained_logits, tensor_from_json(file.at("probe").at("logits_eval_unmerged"), dtype), atol, rtol);

  // Save: PEFT's keys, pruned shapes, no ranknum, and the config PEFT writes.
  testing::TempDir dir;
  toy.adalora->save(dir.path());
  auto saved = io::SafetensorsFile::open(dir.file("adapter_model.safetensors"));
  const auto& expected_sd = file.at("saved_state_dict");
  EXPECT_EQ(saved.names().size(), expected_sd.size());
  for (const auto& [key, info] : expected_sd.items()) {
    ASSERT_TRUE(saved.contains(key)) << "saved file lacks " << key;
    EXPECT_EQ(saved.info(key).shape, info.at("shape").get<std::vector<int64_t>>()) << key;
    EXPECT_EQ(saved.info(key).dtype, f64 ? "F64" : "F32") << key;
  }
  EXPECT_EQ(saved.metadata().at("format"), "pt");
  const Json written = io::load_json_file(dir.file("adapter_config.json"));
  const Json& expected_cfg = file.at("saved_adapter_config");
  for (const char* key : {"peft_type", "init_r", "target_r", "tinit", "tfinal", "deltaT", "beta1", "beta2",
                          "orth_reg_weight", "total_step", "lora_alpha", "lora_dropout", "inference_mode", "r",
                          "rank_pattern", "bias", "fan_in_fan_out", "init_lora_weights"}) {
    EXPECT_EQ(written.at(key), expected_cfg.at(key)) << "adapter_config.json: " << key;
  }
  auto sorted = [](Json j) { auto v = j.get<std::vector<std::string>>(); std::sort(v.begin(), v.end()); return v; };
  EXPECT_EQ(sorted(written.at("target_modules")), sorted(expected_cfg.at("target_modules")));

  // Reload into a fresh base: pruned shapes, ranknum = init_r, same outputs.
  testing::ToyModel reloaded_model(static_cast<torch::Dtype>(dtype),
                                   testing::toy_layer_specs_from_json(file.at("model")));
  reloaded_model->load_base_weights(file.at("model").at("base_weights"));
  auto loaded = AdaLora::load(*reloaded_model, dir.path());
  reloaded_model->to(testing::test_device());
  for (const auto& [key, info] : file.at("loaded").at("param_shapes").items()) {
    const std::string name = strip_default(key);
    const auto dot = name.rfind('.');
    const std::string module = name.substr(0, dot), tensor = name.substr(dot + 1);
    for (const auto& m : loaded.matrices()) {
      if (m.name != module) continue;
      if (tensor == "ranknum") {
        EXPECT_DOUBLE_EQ(m.adapter->ranknum.item<double>(), info.at("value").get<double>()) << key;
      } else {
        const auto& t = tensor == "lora_A" ? m.adapter->lora_A : tensor == "lora_B" ? m.adapter->lora_B : m.adapter->lora_E;
        EXPECT_EQ(t.sizes().vec(), info.at("shape").get<std::vector<int64_t>>()) << key;
      }
    }
  }
  reloaded_model->eval();
  auto reloaded_logits = reloaded_model(probe_x).detach();
  EXPECT_TENSOR_NEAR(reloaded_logits, tensor_from_json(file.at("loaded").at("probe_logits"), dtype), atol, rtol);

  // Merge: weights and outputs.
  loaded.merge();
  for (size_t i = 0; i < reloaded_model->layers.size(); ++i) {
    const auto& path = reloaded_model->specs[i].path;
    EXPECT_TENSOR_NEAR(reloaded_model->layers[i]->weight, tensor_from_json(file.at("merged").at("weights").at(path), dtype),
                       atol, rtol) << "merged weight of " << path;
  }
  EXPECT_TENSOR_NEAR(reloaded_model(probe_x), tensor_from_json(file.at("merged").at("probe_logits"), dtype), atol, rtol);
}

INSTANTIATE_TEST_SUITE_P(Files, TrajectoryGolden,
                         ::testing::ValuesIn(scenario_files("training_trajectory", ".json")), param_name);

}  // namespace
}  // namespace adalora::peft
