// Drives the built `adalora` binary: init-model → train (AdaLoRA and LoRA) → outputs, adapter
// reload, resume, and bad input (exit code 2 with a message naming file and line).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/peft/adalora/adalora.h"
#include "tests/e2e/cli_runner.h"
#include "tests/e2e/tiny_task_suite.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::last_json_line;
using testing::run_cli;

// A tiny BERT folder with a 100-token WordPiece vocabulary and a learnable sentiment-like task.
class CliTrain : public testing::TinyTaskSuite<CliTrain> {
 public:
  static testing::TinyTaskSpec task_spec() { return {7, 96, 32, 5}; }

 protected:
  static std::string common(const std::string& train_file = "") {
    return " --model " + dir_->file("model") + " --task classification --train-file " +
           (train_file.empty() ? dir_->file("train.jsonl") : train_file) +
           " --eval-file " + dir_->file("dev.jsonl") + " --batch-size 8 --epochs 2 --learning-rate 5e-3" +
           " --target-modules query value dense --seed 11";
  }
};

TEST_F(CliTrain, AdaLoraWritesAdapterResultsAndPictures) {
  const std::string out = dir_->file("ada");
  CliRun r = run_cli("train" + common() + " --out " + out + " --init-r 4 --target-r 2 --tinit 4 --tfinal 8 --delta-t 2");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("dev/accuracy"), std::string::npos) << r.output;
  for (const char* f : {"adapter/adapter_config.json", "adapter/adapter_model.safetensors", "results.json",
                        "log.jsonl", "rank_pattern.json", "rank_heatmap.svg", "budget_curve.svg"}) {
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  }
  EXPECT_NE(r.output.find("wrote " + out + "/{adapter/, results.json, labels.json, log.jsonl, " +
                          "rank_pattern.json, rank_heatmap.svg, budget_curve.svg}"),
            std::string::npos)
      << r.output;
  auto results = io::load_json_file(out + "/results.json");
  EXPECT_EQ(results.at("optimizer_steps").get<int64_t>(), 24);  // 2 epochs × 96 / 8
  auto pattern = io::load_json_file(out + "/rank_pattern.json");
  // target_r 2 × matrices (query, value, 4 dense per layer... whatever matched): total ≤ the budget.
  const int64_t matrices = static_cast<int64_t>(pattern.at("modules").size());
  EXPECT_LE(pattern.at("total_rank").get<int64_t>(), 2 * matrices);
  // The adapter reloads into the base model (PEFT layout, pruned shapes).
  auto model = models::load_pretrained(dir_->file("model"), models::TaskHead::SequenceClassification);
  auto config = io::load_json_file(out + "/adapter/adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "ADALORA");
  EXPECT_FALSE(config.at("rank_pattern").is_null());
}

TEST_F(CliTrain, SameCommandTwiceGivesTheSameAdapterBitForBit) {
  CliRun a = run_cli("train" + common() + " --out " + dir_->file("rep1") + " --method lora --r 4");
  CliRun b = run_cli("train" + common() + " --out " + dir_->file("rep2") + " --method lora --r 4");
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(b.code, 0) << b.output;
  auto fa = io::SafetensorsFile::open(dir_->file("rep1/adapter/adapter_model.safetensors"));
  auto fb = io::SafetensorsFile::open(dir_->file("rep2/adapter/adapter_model.safetensors"));
  ASSERT_EQ(fa.names(), fb.names());
  for (const auto& n : fa.names()) EXPECT_TRUE(torch::equal(fa.load(n), fb.load(n))) << n;
}

TEST_F(CliTrain, BadInputExitsWithTwoAndNamesFileAndLine) {
  const std::string bad = dir_->file("bad.jsonl");
  std::ofstream(bad) << "{\"text\": \"good\", \"label\": \"pos\"}\n{\"text\": 5}\n";
  CliRun r = run_cli("train" + common(bad) + " --out " + dir_->file("bad_out"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.jsonl:2"), std::string::npos) << r.output;
  CliRun u = run_cli("train --no-such-flag");
  EXPECT_EQ(u.code, 2) << u.output;
  CliRun k = run_cli("train" + common() + " --out " + dir_->file("k") + " --init-r 4 --target-r 4");
  EXPECT_EQ(k.code, 2) << k.output;
  EXPECT_NE(k.output.find("target_r"), std::string::npos) << k.output;
}

}  // namespace
}  // namespace adalora

namespace adalora {
namespace {

TEST_F(CliTrain, LoraWithoutTargetModulesUsesTheArchitecturesDefaults) {
  const std::string args = task_flags() +
                           " --batch-size 16 --max-steps 2 --method lora --r 2 --out " + dir_->file("defaults");
  CliRun r = run_cli("train" + args);
  ASSERT_EQ(r.code, 0) << r.output;
  auto config = io::load_json_file(dir_->file("defaults/adapter/adapter_config.json"));
  EXPECT_EQ(config.at("target_modules"), io::Json({"query", "value"}));  // BERT's PEFT default
}

}  // namespace
}  // namespace adalora
