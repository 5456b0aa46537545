// Drives the built `adalora` binary after training: `eval` reproduces the metrics of results.json
// exactly (AdaLoRA, LoRA, BitFit folders), `predict` writes one JSON line per input row, `inspect`
// reads PEFT's own AdaLoRA folder, and usage / bad input exit with 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/e2e/tiny_task_suite.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::last_json_line;
using testing::run_cli;

// A tiny BERT with a 100-token vocabulary, a learnable sentiment-like task, and three trained
// output folders (AdaLoRA, LoRA, BitFit), shared by the tests.
class CliEval : public testing::TinyTaskSuite<CliEval> {
 public:
  static testing::TinyTaskSpec task_spec() { return {5, 64, 40, 4}; }

 protected:
  static void SetUpTestSuite() {
    TinyTaskSuite::SetUpTestSuite();
    if (HasFatalFailure()) return;
    for (const auto& [name, flags] :
         {std::pair<std::string, std::string>{
              "ada",
              "--method adalora --init-r 4 --target-r 2 --tinit 2 --tfinal 4 "
              "--delta-t 2 --target-modules query value dense"},
          {"lora", "--method lora --r 4 --target-modules query value"},
          {"bitfit", "--method bitfit"}}) {
      CliRun t = run_cli(
          "train" + task_flags() +
          " --batch-size 8 --epochs 2 --learning-rate 5e-3 --seed 11 --max-seq-length 16 --out " +
          dir_->file(name) + " " + flags);
      ASSERT_EQ(t.code, 0) << name << "\n" << t.output;
    }
  }

  static std::string model() { return dir_->file("model"); }
};

TEST_F(CliEval, EvalReproducesTheMetricsOfResultsJson) {
  for (const char* name : {"ada", "lora", "bitfit"}) {
    const std::string out = dir_->file(name);
    const io::Json results = io::load_json_file(out + "/results.json");
    EXPECT_TRUE(fs::exists(out + "/labels.json")) << name;
    // The task and the head come from labels.json; max_seq_length from results.json.
    CliRun r = run_cli("eval --json --model " + model() + " --adapter " + out +
                       "/adapter --eval-file " + dir_->file("dev.jsonl"));
    ASSERT_EQ(r.code, 0) << name << "\n" << r.output;
    const io::Json j = last_json_line(r.output);
    ASSERT_TRUE(j.is_object()) << r.output;
    EXPECT_EQ(j.at("task"), "classification");
    ASSERT_EQ(j.at("metrics").size(), results.at("metrics").size()) << r.output;
    for (const auto& [metric, value] : results.at("metrics").items()) {
      // Exactly: the same batches through the same arithmetic.
      EXPECT_EQ(j.at("metrics").at(metric).get<double>(), value.get<double>())
          << name << " " << metric;
    }
    EXPECT_EQ(j.at("primary_metric"), results.at("primary_metric"));
  }
  // The training output folder stands for its adapter/; the table names the primary metric.
  CliRun t = run_cli("eval --model " + model() + " --adapter " + dir_->file("ada") +
                     " --task classification" + " --eval-file " + dir_->file("dev.jsonl"));
  ASSERT_EQ(t.code, 0) << t.output;
  EXPECT_NE(t.output.find("dev/accuracy"), std::string::npos) << t.output;
  EXPECT_NE(t.output.find("(primary)"), std::string::npos) << t.output;
}

TEST_F(CliEval, PredictWritesOneLinePerRowAgreeingWithEval) {
  const std::string out = dir_->file("lora_pred.jsonl");
  CliRun r = run_cli("predict --model " + model() + " --adapter " + dir_->file("lora/adapter") +
                     " --input " + dir_->file("dev.jsonl") + " --output " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream pred(out), dev(dir_->file("dev.jsonl"));
  std::string p_line, d_line;
  int rows = 0, correct = 0;
  while (std::getline(dev, d_line)) {
    ASSERT_TRUE(std::getline(pred, p_line)) << "missing prediction for row " << rows + 1;
    const io::Json p = io::Json::parse(p_line);
    ASSERT_EQ(p.at("probabilities").size(), 2u) << p_line;
    double sum = 0;
    for (const auto& v : p.at("probabilities")) sum += v.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-9) << p_line;
    correct += p.at("label") == io::Json::parse(d_line).at("label");
    ++rows;
  }
  EXPECT_FALSE(std::getline(pred, p_line)) << "more predictions than rows";
  EXPECT_EQ(rows, 40);
  const io::Json results = io::load_json_file(dir_->file("lora/results.json"));
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / rows,
                   results.at("metrics").at("dev/accuracy").get<double>());
}

TEST_F(CliEval, InspectShowsMethodRanksAndCounts) {
  CliRun r = run_cli("inspect --json " + dir_->file("lora/adapter"));
  ASSERT_EQ(r.code, 0) << r.output;
  io::Json j = last_json_line(r.output);
  EXPECT_EQ(j.at("method"), "lora");
  EXPECT_FALSE(j.at("modules").empty());
  EXPECT_EQ(j.at("modules").size() % 2, 0u);  // query and value of every layer
  for (const auto& m : j.at("modules")) EXPECT_EQ(m.at("rank"), 4);
  EXPECT_EQ(j.at("peft_trainable_params"),
            io::load_json_file(dir_->file("lora/results.json")).at("trainable_params"));

  CliRun a = run_cli("inspect " + dir_->file("ada/adapter"));
  ASSERT_EQ(a.code, 0) << a.output;
  EXPECT_NE(a.output.find("adalora"), std::string::npos) << a.output;
  EXPECT_NE(a.output.find("init_r"), std::string::npos) << a.output;

  CliRun b = run_cli("inspect --json " + dir_->file("bitfit/adapter"));
  ASSERT_EQ(b.code, 0) << b.output;
  EXPECT_EQ(last_json_line(b.output).at("method"), "bitfit");
}

TEST_F(CliEval, InspectReadsPeftsGoldenAdaLoraFolder) {
  ADALORA_REQUIRE_GOLDEN("adalora/saved_adapter_float64");
  const std::string golden = testing::golden_path("adalora/saved_adapter_float64");
  CliRun r = run_cli("inspect --json " + golden);
  ASSERT_EQ(r.code, 0) << r.output;
  const io::Json j = last_json_line(r.output);
  EXPECT_EQ(j.at("method"), "adalora");
  std::vector<int64_t> ranks, init;
  for (const auto& m : j.at("modules")) {
    ranks.push_back(m.at("rank").get<int64_t>());
    init.push_back(m.at("init_r").get<int64_t>());
  }
  EXPECT_EQ(ranks, (std::vector<int64_t>{2, 4, 2, 4}));
  EXPECT_EQ(init, (std::vector<int64_t>{6, 6, 6, 6}));
  EXPECT_EQ(j.at("total_rank"), 12);
  // Stored (pruned): Σ r (in + out + 1) over 24→16, 16→24, 32→32, 40→8.
  EXPECT_EQ(j.at("stored_params"), 2 * 41 + 4 * 41 + 2 * 65 + 4 * 49);
  // PEFT trains every matrix at init_r = 6.
  EXPECT_EQ(j.at("peft_trainable_params"), 6 * (41 + 41 + 65 + 49));
  CliRun t = run_cli("inspect " + golden);
  ASSERT_EQ(t.code, 0) << t.output;
  EXPECT_NE(t.output.find("encoder.layer.1.output.dense"), std::string::npos) << t.output;
}

TEST_F(CliEval, UsageAndBadInputExitWithTwo) {
  for (const char* sub : {"eval", "predict", "inspect"}) {
    CliRun h = run_cli(std::string(sub) + " --help");
    EXPECT_EQ(h.code, 0) << sub << "\n" << h.output;
    CliRun u = run_cli(sub);
    EXPECT_EQ(u.code, 2) << sub << "\n" << u.output;
  }
  CliRun missing = run_cli("inspect " + dir_->file("no_such_folder"));
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("no_such_folder"), std::string::npos) << missing.output;

  // An adapter type we do not load: the message names the file and the type.
  const std::string odd = dir_->file("odd");
  fs::create_directories(odd);
  fs::copy_file(dir_->file("lora/adapter/adapter_model.safetensors"),
                odd + "/adapter_model.safetensors");
  io::Json config = io::load_json_file(dir_->file("lora/adapter/adapter_config.json"));
  config["peft_type"] = "IA3";
  io::save_json_file(odd + "/adapter_config.json", config);
  fs::copy_file(dir_->file("lora/labels.json"), odd + "/labels.json");
  CliRun bad = run_cli("eval --model " + model() + " --adapter " + odd +
                       " --task classification --eval-file " + dir_->file("dev.jsonl"));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("adapter_config.json"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("IA3"), std::string::npos) << bad.output;

  // Generic classification without labels.json: the label names are unknown.
  const std::string bare = dir_->file("bare");
  fs::copy(dir_->file("lora/adapter"), bare);
  CliRun unlabeled = run_cli("eval --model " + model() + " --adapter " + bare +
                             " --task classification --eval-file " + dir_->file("dev.jsonl"));
  EXPECT_EQ(unlabeled.code, 2) << unlabeled.output;
  EXPECT_NE(unlabeled.output.find("labels.json"), std::string::npos) << unlabeled.output;
}

}  // namespace
}  // namespace adalora
