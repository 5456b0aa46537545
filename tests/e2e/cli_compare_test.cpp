// `adalora train` on a comparison (train/compare.h): one config file with a "compare" list runs
// AdaLoRA and LoRA on the same data and writes one results.json with a line per method — the
// shape of the main job's default (`--preset demo`). Paths in the file are relative to the file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/e2e/tiny_task_suite.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::run_cli;

class CliCompare : public testing::TinyTaskSuite<CliCompare> {
 public:
  static testing::TinyTaskSpec task_spec() { return {5, 64, 32, 4}; }

 protected:
  static void SetUpTestSuite() {
    TinyTaskSuite::SetUpTestSuite();
    if (HasFatalFailure()) return;
    // Relative paths: resolved against the file's folder, not the working directory.
    io::save_json_file(dir_->file("compare.json"),
                       {{"model", "model"},
                        {"task", "classification"},
                        {"train_file", "train.jsonl"},
                        {"eval_file", "dev.jsonl"},
                        {"per_device_train_batch_size", 8},
                        {"num_train_epochs", 2},
                        {"learning_rate", 5e-3},
                        {"seed", 3},
                        {"target_modules", {"query", "value", "dense"}},
                        {"compare",
                         {{{"method", "adalora"}, {"init_r", 4}, {"target_r", 2}, {"tinit", 2}, {"tfinal", 4}, {"deltaT", 1}},
                          {{"method", "lora"}, {"r", 2}}}}});
  }
};

TEST_F(CliCompare, RunsEveryMethodAndWritesOneResultsFile) {
  const std::string out = dir_->file("cmp");
  CliRun r = run_cli("train --config " + dir_->file("compare.json") + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("== run 2/2: lora"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("trainable params"), std::string::npos) << r.output;  // the table
  const auto results = io::load_json_file(out + "/results.json");
  for (const char* method : {"adalora", "lora"}) {
    SCOPED_TRACE(method);
    ASSERT_TRUE(results.contains(method)) << results.dump(2);
    const auto& m = results.at(method);
    for (const char* key : {"accuracy", "f1", "trainable_params", "wall_seconds"}) EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_EQ(m.at("optimizer_steps").get<int64_t>(), 16);  // 2 epochs × 64 / 8
    EXPECT_EQ(m.at("f1_metric"), "macro_f1");
    EXPECT_GT(m.at("wall_seconds").get<double>(), 0.0);
    EXPECT_TRUE(fs::exists(out + "/" + method + "/adapter/adapter_model.safetensors"));
  }
  // Same final budget in ranks (the paper's b(T) = target_r × matrices = LoRA's r × matrices); AdaLoRA
  // trained more (init_r) than it keeps, and keeps one (in + out + 1) per rank plus the head.
  const auto& ada = results.at("adalora");
  const int64_t rank = ada.at("final_total_rank").get<int64_t>();
  const auto pattern = io::load_json_file(out + "/adalora/rank_pattern.json");
  const int64_t matrices = static_cast<int64_t>(pattern.at("modules").size());
  EXPECT_GT(rank, 0);
  EXPECT_LE(rank, 2 * matrices);
  EXPECT_GT(ada.at("trainable_params_during_training").get<int64_t>(), ada.at("trainable_params").get<int64_t>());
  const int64_t head = 32 * 32 + 32 + 32 * 2 + 2;  // pooler + classifier of tiny-bert (hidden 32, 2 labels)
  const int64_t per_rank_max = 32 + 64 + 1;         // the widest adapted matrix: 32 ↔ 64
  EXPECT_LE(ada.at("trainable_params").get<int64_t>(), head + rank * per_rank_max);
  EXPECT_GE(ada.at("trainable_params").get<int64_t>(), head + rank * (32 + 32 + 1));
  EXPECT_TRUE(fs::exists(out + "/adalora/rank_heatmap.svg"));
  EXPECT_TRUE(fs::exists(out + "/adalora/budget_curve.svg"));
}

TEST_F(CliCompare, MethodFlagSelectsOneRunAndFlagsOverridePerRunValues) {
  const std::string out = dir_->file("only_lora");
  // --r overrides the run's own "r": 2 → 3 (query, value and 4 dense per layer: LoRA params ∝ r).
  CliRun r = run_cli("train --config " + dir_->file("compare.json") + " --out " + out + " --method lora --r 3 --max-steps 2");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto results = io::load_json_file(out + "/results.json");
  EXPECT_FALSE(results.contains("adalora")) << results.dump(2);
  EXPECT_EQ(io::load_json_file(out + "/lora/adapter/adapter_config.json").at("r"), 3);

  CliRun bad = run_cli("train --config " + dir_->file("compare.json") + " --out " + out + " --method bitfit");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("compares adalora, lora"), std::string::npos) << bad.output;
}

// The main job's built-in default: the shipped preset finds the committed model and data by name
// from any working directory (here: the test's). Shortened by flags — the real run is README's.
TEST_F(CliCompare, DemoPresetRunsOnTheCommittedModelAndData) {
  const fs::path model = fs::path(ADALORA_SOURCE_DIR) / "models" / "demo-bert" / "model.safetensors";
  ASSERT_TRUE(fs::exists(model)) << model << ": the committed demo model is missing";
  const std::string out = dir_->file("demo");
  CliRun r = run_cli("train --preset demo --out " + out +
                     " --max-steps 3 --tinit 1 --tfinal 1 --delta-t 1 --max-seq-length 16 --batch-size 8");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto results = io::load_json_file(out + "/results.json");
  for (const char* method : {"adalora", "lora"}) {
    SCOPED_TRACE(method);
    ASSERT_TRUE(results.contains(method)) << results.dump(2);
    EXPECT_EQ(results.at(method).at("eval_split"), "test");  // selection on the dev split of train.jsonl
    // Accuracy is over the 1,000 test reviews: a multiple of 1/1000.
    const double acc = results.at(method).at("accuracy").get<double>();
    EXPECT_NEAR(acc * 1000, std::round(acc * 1000), 1e-6);
  }
  // AdaLoRA's final budget b(T) = target_r (4) × 24 matrices, as LoRA r = 4 on the same 24.
  EXPECT_EQ(results.at("adalora").at("final_total_rank").get<int64_t>(), 96);
}

TEST_F(CliCompare, UnknownPresetNameListsWhereItLooked) {
  CliRun r = run_cli("train --preset no_such_preset --out " + dir_->file("x"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no preset of that name"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("presets/no_such_preset.json"), std::string::npos) << r.output;
}

TEST_F(CliCompare, BadCompareEntriesAreRefusedBeforeAnyRun) {
  io::save_json_file(dir_->file("twice.json"), {{"model", "model"},
                                                {"train_file", "train.jsonl"},
                                                {"eval_file", "dev.jsonl"},
                                                {"compare", {{{"method", "lora"}}, {{"method", "lora"}, {"r", 4}}}}});
  CliRun r = run_cli("train --config " + dir_->file("twice.json") + " --out " + dir_->file("twice"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("compare[1]: name: \"lora\" is used twice"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("== run 1"), std::string::npos) << r.output;

  // An entry without "method" lists the registered methods (peft/registry.cpp), not a copy.
  io::save_json_file(dir_->file("nameless.json"), {{"model", "model"},
                                                   {"train_file", "train.jsonl"},
                                                   {"eval_file", "dev.jsonl"},
                                                   {"compare", {{{"r", 4}}}}});
  r = run_cli("train --config " + dir_->file("nameless.json") + " --out " + dir_->file("nameless"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("compare[0]: expected an object with \"method\" (one of adalora, "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("houlsby"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace adalora
