// The shipped SQuAD presets (presets/squad/*.json): every budget level of the paper's Table 9 for
// v1.1 and v2.0, each naming a registered QA task, with Table 10's AdaLoRA hyper-parameters for
// DeBERTaV3-base question answering (presets/README.md gives the sources).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "adalora/tasks/registry.h"

namespace adalora::tasks {
namespace {

namespace fs = std::filesystem;

nlohmann::json load(const std::string& name) {
  const fs::path path = fs::path(ADALORA_SOURCE_DIR) / "presets" / "squad" / (name + ".json");
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
}

TEST(SquadPresetsTest, EveryBudgetOfBothVersionsMatchesThePaper) {
  // Table 9: b(T) / r̄(T) / r = 72/1/2, 144/2/4, 288/4/6, 576/8/12 for 0.08 / 0.16 / 0.32 / 0.65 %.
  const std::map<std::string, std::pair<int, int>> budgets = {
      {"0.08", {2, 1}}, {"0.16", {4, 2}}, {"0.32", {6, 4}}, {"0.65", {12, 8}}};
  // Table 10: lr 1e-3, batch 16, γ 0.1, tᵢ 5000, ΔT 100; epochs and t_f 10 / 25000 (v1.1) and
  // 12 / 50000 (v2.0).
  const std::map<std::string, std::pair<int, int>> epochs_tfinal = {{"squad", {10, 25000}},
                                                                    {"squad_v2", {12, 50000}}};
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(ADALORA_SOURCE_DIR) / "presets" / "squad")) {
    files += entry.path().extension() == ".json";
  }
  EXPECT_EQ(files, budgets.size() * epochs_tfinal.size());
  for (const auto& [task, et] : epochs_tfinal) {
    for (const auto& [budget, ranks] : budgets) {
      const std::string name = task + "_" + budget + "pct";
      SCOPED_TRACE(name);
      const nlohmann::json j = load(name);
      ASSERT_TRUE(j.contains("task"));
      EXPECT_EQ(j["task"], task);
      EXPECT_EQ(find_task(j["task"].get<std::string>()).family, TaskFamily::QuestionAnswering);
      EXPECT_EQ(j["budget"], budget + "%");
      EXPECT_EQ(j["method"], "adalora");
      EXPECT_EQ(j["init_r"], ranks.first);
      EXPECT_EQ(j["target_r"], ranks.second);
      EXPECT_DOUBLE_EQ(j["learning_rate"].get<double>(), 1e-3);
      EXPECT_EQ(j["per_device_train_batch_size"], 16);
      EXPECT_EQ(j["num_train_epochs"], et.first);
      EXPECT_DOUBLE_EQ(j["orth_reg_weight"].get<double>(), 0.1);
      EXPECT_EQ(j["tinit"], 5000);
      EXPECT_EQ(j["deltaT"], 100);
      EXPECT_EQ(j["tfinal"], et.second);
      EXPECT_DOUBLE_EQ(j["beta1"].get<double>(), 0.85);
      EXPECT_DOUBLE_EQ(j["beta2"].get<double>(), 0.85);
      EXPECT_EQ(j["max_seq_length"], 384);
      EXPECT_EQ(j["doc_stride"], 128);
      EXPECT_EQ(j["target_modules"].size(), 6u);
    }
  }
}

}  // namespace
}  // namespace adalora::tasks
