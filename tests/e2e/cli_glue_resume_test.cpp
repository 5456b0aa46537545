// Drives the built `adalora` binary on the official-format GLUE fixtures (tests/fixtures/glue):
// AdaLoRA on CoLA trains and `eval` reproduces its metrics; a run interrupted in the budgeting
// phase and continued with --resume ends with an adapter byte-identical to an uninterrupted run's;
// a pair task (RTE) goes through train → eval → predict.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::last_json_line;
using testing::run_cli;
using testing::run_cli_env;

std::string fixtures(const std::string& task) {
  return std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/" + task;
}

class CliGlue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    CliRun r = run_cli("init-model --arch tiny-bert --out " + dir_->file("model") + " --seed 5");
    ASSERT_EQ(r.code, 0) << r.output;
    // A word-level vocabulary of the fixtures' most common words (the rest is [UNK]).
    std::ofstream vocab(dir_->file("model/vocab.txt"));
    for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) vocab << s << "\n";
    for (const char* w :
         {"the", "a",       "of",  "to", "and", "is",  "in",   "they", "we", "one", "more", "drank",
          "pub", "friends", "won", "'",  "t",   "buy", "this", ",",    ".",  "has", "had",  "an"}) {
      vocab << w << "\n";
    }
    for (int i = 29; i < 100; ++i) vocab << "w" << i << "\n";
  }
  static void TearDownTestSuite() { delete dir_; }

  // AdaLoRA on CoLA: 4 rows, batch 2 → 2 steps per epoch; 6 steps with the budgeting phase in
  // steps 2..4 (tinit 1, tfinal 2), a mask every step.
  static std::string cola(const std::string& out) {
    return "train --model " + dir_->file("model") + " --task glue/cola --data-dir " +
           fixtures("CoLA") +
           " --batch-size 2 --max-steps 6 --save-steps 2 --learning-rate 1e-2 --seed 7 --init-r 4 "
           "--target-r 2" +
           " --tinit 1 --tfinal 2 --delta-t 1 --target-modules query value --out " + out;
  }
  static testing::TempDir* dir_;
};
testing::TempDir* CliGlue::dir_ = nullptr;

TEST_F(CliGlue, InterruptedInTheBudgetingPhaseResumesToTheSameAdapter) {
  const std::string a = dir_->file("cola_a"), b = dir_->file("cola_b");
  CliRun whole = run_cli(cola(a));
  ASSERT_EQ(whole.code, 0) << whole.output;

  CliRun first = run_cli(cola(b) + " --stop-after-steps 3");
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("stopped after step 3"), std::string::npos) << first.output;
  EXPECT_FALSE(fs::exists(b + "/adapter")) << "a stopped run writes only its checkpoint";
  EXPECT_FALSE(fs::exists(b + "/results.json"));
  CliRun rest = run_cli(cola(b) + " --resume");
  ASSERT_EQ(rest.code, 0) << rest.output;

  for (const char* f : {"adapter/adapter_model.safetensors", "adapter/adapter_config.json",
                        "rank_pattern.json", "labels.json"}) {
    ASSERT_TRUE(fs::exists(a + "/" + f)) << f;
    EXPECT_EQ(io::read_file(a + "/" + f), io::read_file(b + "/" + f))
        << f << " differs after resume";
  }
  const io::Json ra = io::load_json_file(a + "/results.json"),
                 rb = io::load_json_file(b + "/results.json");
  EXPECT_EQ(ra.at("metrics"), rb.at("metrics"));
  EXPECT_EQ(ra.at("optimizer_steps"), 6);

  // eval on the resumed adapter reproduces the uninterrupted run's metrics (task from labels.json).
  CliRun e = run_cli("eval --json --model " + dir_->file("model") + " --adapter " + b +
                     "/adapter --data-dir " + fixtures("CoLA"));
  ASSERT_EQ(e.code, 0) << e.output;
  const io::Json j = last_json_line(e.output);
  EXPECT_EQ(j.at("task"), "glue/cola");
  EXPECT_EQ(j.at("metrics"), ra.at("metrics")) << e.output;
}

// SIGKILL, as a power cut or the OOM killer would: during a checkpoint write (the test hook of
// train/train_state.cpp kills the process after 3 of the 5 files of step 4's checkpoint) and
// during training (killed from outside once step 4's checkpoint is complete). Each resumes to the
// adapter of the uninterrupted run, byte for byte.
TEST_F(CliGlue, KilledDuringTrainingOrACheckpointWriteResumesToTheSameAdapter) {
  const std::string whole = dir_->file("kill_whole");
  ASSERT_EQ(run_cli(cola(whole)).code, 0);
  const std::string in_write = dir_->file("kill_in_write"), in_training = dir_->file("kill_in_training");
  CliRun killed = run_cli_env("ADALORA_TEST_KILL_IN_CHECKPOINT=4:3", cola(in_write));
  EXPECT_TRUE(killed.code == -1 || killed.code == 128 + SIGKILL) << "expected death by SIGKILL:\n" << killed.output;
  EXPECT_TRUE(fs::exists(in_write + "/checkpoint.tmp")) << "the half-written checkpoint";
  const std::string state = in_training + "/checkpoint/trainer_state.json";
  const std::string script = "(" + std::string(ADALORA_CLI_PATH) + " " + cola(in_training) +
                             " >/dev/null 2>&1 & p=$!; until grep -qs '\"global_step\": 4' " + state +
                             "; do sleep 0.01; done; kill -9 $p; wait $p; true)";
  ASSERT_EQ(std::system(script.c_str()), 0);
  for (const std::string& out : {in_write, in_training}) {
    CliRun rest = run_cli(cola(out) + " --resume");
    ASSERT_EQ(rest.code, 0) << out << "\n" << rest.output;
    EXPECT_EQ(io::read_file(out + "/adapter/adapter_model.safetensors"),
              io::read_file(whole + "/adapter/adapter_model.safetensors"))
        << out << ": adapter differs after kill + resume";
  }
}

TEST_F(CliGlue, PairTaskTrainsEvaluatesAndPredicts) {
  // RTE ships only dev/test fixtures: train on dev (this checks the pipeline, not generalisation).
  const std::string out = dir_->file("rte");
  CliRun t = run_cli("train --model " + dir_->file("model") + " --task glue/rte --data-dir " +
                     fixtures("RTE") +
                     " --train-file dev.tsv --method lora --r 2 --target-modules query value "
                     "--batch-size 2 --max-steps 3 --seed 3 --out " +
                     out);
  ASSERT_EQ(t.code, 0) << t.output;
  const io::Json results = io::load_json_file(out + "/results.json");
  CliRun e = run_cli("eval --json --model " + dir_->file("model") + " --adapter " + out +
                     " --task glue/rte" + " --data-dir " + fixtures("RTE"));
  ASSERT_EQ(e.code, 0) << e.output;
  EXPECT_NE(e.output.find("\"dev/accuracy\""), std::string::npos) << e.output;
  const io::Json j = last_json_line(e.output);
  EXPECT_EQ(j.at("metrics"), results.at("metrics"));

  // test.tsv has no labels: one prediction per row, with GLUE's label names.
  const std::string pred = dir_->file("rte_test.jsonl");
  CliRun p = run_cli("predict --model " + dir_->file("model") + " --adapter " + out + " --input " +
                     fixtures("RTE") + "/test.tsv --output " + pred);
  ASSERT_EQ(p.code, 0) << p.output;
  std::ifstream in(pred);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    const io::Json row = io::Json::parse(line);
    EXPECT_TRUE(row.at("label") == "entailment" || row.at("label") == "not_entailment") << line;
    EXPECT_EQ(row.at("probabilities").size(), 2u);
    ++rows;
  }
  EXPECT_EQ(rows, 1);  // test.tsv: a header and one row
}

}  // namespace
}  // namespace adalora
