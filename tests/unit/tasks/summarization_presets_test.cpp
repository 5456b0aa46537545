// The shipped summarization presets (presets/summarization/*.json): every budget level of the
// paper's Table 12 for AdaLoRA and LoRA on XSum and CNN/DailyMail, each naming a registered seq2seq
// task, with Table 13's AdaLoRA hyper-parameters for BART-large (presets/README.md gives the
// sources).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "adalora/tasks/registry.h"

namespace adalora::tasks {
namespace {

namespace fs = std::filesystem;

const fs::path kSummarizationPresetDir = fs::path(ADALORA_SOURCE_DIR) / "presets" / "summarization";

nlohmann::json load_summarization_preset(const std::string& name) {
  std::ifstream in(kSummarizationPresetDir / (name + ".json"));
  EXPECT_TRUE(in.good()) << name;
  return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
}

// Typed from the paper, not read from the presets.
struct PaperRow {
  double learning_rate;
  int batch_size, epochs;
  double gamma;
  int tinit, delta_t, tfinal;
  int num_beams;  // §4.3: "For XSum, we set the beam length as 8 … For CNN/DailyMail … 4"
};

TEST(SummarizationPresetsTest, EveryBudgetOfBothDatasetsAndMethodsMatchesThePaper) {
  // Table 12: budget → LoRA r; AdaLoRA b(T) / r̄(T) / r = 576/8/12, 288/4/6, 144/2/4, 72/1/2.
  const std::map<std::string, std::tuple<int, int, int>> budgets = {
      {"0.65", {8, 8, 12}}, {"0.32", {4, 4, 6}}, {"0.16", {2, 2, 4}}, {"0.08", {1, 1, 2}}};
  // Table 13.
  const std::map<std::string, PaperRow> rows = {
      {"xsum", {5e-4, 64, 25, 0.1, 6000, 100, 50000, 8}},
      {"cnn_dailymail", {5e-4, 32, 15, 0.1, 5000, 100, 85000, 4}}};
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kSummarizationPresetDir)) {
    files += entry.path().extension() == ".json";
  }
  EXPECT_EQ(files, budgets.size() * rows.size() * 2);
  for (const auto& [dataset, row] : rows) {
    for (const auto& [budget, ranks] : budgets) {
      for (const std::string method : {"adalora", "lora"}) {
        const std::string name = dataset + "_" + method + "_" + budget + "pct";
        SCOPED_TRACE(name);
        const nlohmann::json j = load_summarization_preset(name);
        ASSERT_TRUE(j.contains("task"));
        EXPECT_EQ(j["task"], "summarization/" + dataset);
        EXPECT_EQ(find_task(j["task"].get<std::string>()).family, TaskFamily::Seq2Seq);
        EXPECT_EQ(j["budget"], budget + "%");
        EXPECT_EQ(j["method"], method);
        if (method == "adalora") {
          EXPECT_EQ(j["target_r"], std::get<1>(ranks));
          EXPECT_EQ(j["init_r"], std::get<2>(ranks));
          EXPECT_DOUBLE_EQ(j["orth_reg_weight"].get<double>(), row.gamma);
          EXPECT_EQ(j["tinit"], row.tinit);
          EXPECT_EQ(j["deltaT"], row.delta_t);
          EXPECT_EQ(j["tfinal"], row.tfinal);
          EXPECT_DOUBLE_EQ(j["beta1"].get<double>(), 0.85);  // §4.1
          EXPECT_DOUBLE_EQ(j["beta2"].get<double>(), 0.85);
          EXPECT_FALSE(j.contains("r"));
        } else {
          EXPECT_EQ(j["r"], std::get<0>(ranks));
          EXPECT_FALSE(j.contains("init_r") || j.contains("tinit") ||
                       j.contains("orth_reg_weight"));
        }
        EXPECT_DOUBLE_EQ(j["learning_rate"].get<double>(), row.learning_rate);
        EXPECT_EQ(j["per_device_train_batch_size"], row.batch_size);
        EXPECT_EQ(j["num_train_epochs"], row.epochs);
        ASSERT_TRUE(j.contains("generation"));
        EXPECT_EQ(j["generation"]["num_beams"], row.num_beams);
        // §4.3 / Appendix E: every weight matrix of the encoder and decoder layers.
        EXPECT_EQ(j["target_modules"],
                  nlohmann::json({"q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"}));
      }
    }
  }
}

}  // namespace
}  // namespace adalora::tasks
