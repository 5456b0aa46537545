// Every shipped preset (presets/glue/*.json) parses, has the required keys with the right types,
// names a known task, and matches the paper's budget ↔ rank table (Appendix C.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "adalora/tasks/registry.h"

namespace adalora::tasks {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> preset_files() {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(ADALORA_SOURCE_DIR) / "presets" / "glue";
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PresetsTest, AllTasksAndBudgetsArePresent) {
  // 8 GLUE tasks × 3 budgets.
  ASSERT_EQ(preset_files().size(), 24u) << "in " << ADALORA_SOURCE_DIR << "/presets/glue";
  for (const auto& spec : task_specs()) {
    if (spec.format != DataFormat::GlueTsv) continue;
    for (const char* budget : {"0.3M", "0.6M", "1.2M"}) {
      const std::string name = spec.glue_task + "_" + budget + ".json";
      EXPECT_TRUE(fs::exists(fs::path(ADALORA_SOURCE_DIR) / "presets" / "glue" / name)) << name;
    }
  }
}

TEST(PresetsTest, EveryPresetHasRequiredKeysAndTypes) {
  const std::vector<std::string> integers = {"init_r",
                                             "target_r",
                                             "tinit",
                                             "tfinal",
                                             "deltaT",
                                             "per_device_train_batch_size",
                                             "num_train_epochs",
                                             "max_seq_length",
                                             "warmup_steps",
                                             "seed",
                                             "eval_steps",
                                             "lora_alpha"};
  const std::vector<std::string> numbers = {"beta1",         "beta2",        "orth_reg_weight",
                                            "learning_rate", "weight_decay", "warmup_ratio",
                                            "cls_dropout"};
  for (const auto& path : preset_files()) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path);
    const nlohmann::json j = nlohmann::json::parse(in);
    ASSERT_TRUE(j.is_object());
    for (const auto& key : integers) {
      ASSERT_TRUE(j.contains(key)) << key;
      EXPECT_TRUE(j[key].is_number_integer()) << key << " = " << j[key];
      EXPECT_GE(j[key].get<int64_t>(), 0) << key;
    }
    for (const auto& key : numbers) {
      ASSERT_TRUE(j.contains(key)) << key;
      EXPECT_TRUE(j[key].is_number()) << key << " = " << j[key];
    }
    ASSERT_TRUE(j.contains("task") && j["task"].is_string());
    EXPECT_NO_THROW(find_task(j["task"].get<std::string>()));
    EXPECT_EQ(j.value("method", ""), "adalora");
    ASSERT_TRUE(j.contains("target_modules") && j["target_modules"].is_array());
    EXPECT_EQ(j["target_modules"].size(), 6u);
    for (const auto& m : j["target_modules"]) EXPECT_TRUE(m.is_string());

    // File name = <glue task>_<budget>.json and task = "glue/<glue task>".
    const std::string stem = path.stem().string();
    const std::string budget = stem.substr(stem.rfind('_') + 1);
    EXPECT_EQ(j["task"].get<std::string>(), "glue/" + stem.substr(0, stem.rfind('_')));
    EXPECT_EQ(j.value("budget", ""), budget);
    // Appendix C.1: final average rank 2 / 4 / 8, initial rank 4 / 6 / 12.
    const std::map<std::string, std::pair<int, int>> ranks = {
        {"0.3M", {4, 2}}, {"0.6M", {6, 4}}, {"1.2M", {12, 8}}};
    ASSERT_TRUE(ranks.count(budget)) << budget;
    EXPECT_EQ(j["init_r"].get<int>(), ranks.at(budget).first);
    EXPECT_EQ(j["target_r"].get<int>(), ranks.at(budget).second);

    EXPECT_GT(j["beta1"].get<double>(), 0.0);
    EXPECT_LT(j["beta1"].get<double>(), 1.0);
    EXPECT_GT(j["learning_rate"].get<double>(), 0.0);
    EXPECT_GE(j["deltaT"].get<int64_t>(), 1);
    EXPECT_GE(j["warmup_ratio"].get<double>(), 0.0);
    EXPECT_LE(j["warmup_ratio"].get<double>(), 1.0);
  }
}

TEST(PresetsTest, MnliMatchesPaperTable8) {
  // Table 8, MNLI: lr 5e-4, batch 32, 7 epochs, γ 0.1, tᵢ 8000, ΔT 100, t_f 50000.
  std::ifstream in(fs::path(ADALORA_SOURCE_DIR) / "presets" / "glue" / "mnli_1.2M.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(j["learning_rate"].get<double>(), 5e-4);
  EXPECT_EQ(j["per_device_train_batch_size"].get<int>(), 32);
  EXPECT_EQ(j["num_train_epochs"].get<int>(), 7);
  EXPECT_DOUBLE_EQ(j["orth_reg_weight"].get<double>(), 0.1);
  EXPECT_EQ(j["tinit"].get<int>(), 8000);
  EXPECT_EQ(j["deltaT"].get<int>(), 100);
  EXPECT_EQ(j["tfinal"].get<int>(), 50000);
}

}  // namespace
}  // namespace adalora::tasks
