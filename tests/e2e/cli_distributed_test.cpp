// `adalora train --nproc-per-node 2` on the GLUE CoLA fixture (4 rows): 2 ranks × batch 2 end with
// the rank pattern and dev metrics of 1 process × batch 4 (dropout off, so both see the same
// arithmetic up to float32 summation order); rank 0's output is shown, rank 1's goes to its log.
#include <gtest/gtest.h>

#include <fstream>

#include <filesystem>

#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::run_cli;

std::string cola_args(const std::string& model, const std::string& out, int batch) {
  return "train --model " + model + " --task glue/cola --data-dir " +
         std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/CoLA --batch-size " +
         std::to_string(batch) +
         " --max-steps 6 --learning-rate 1e-2 --seed 7 --init-r 4 --target-r 2 --tinit 1"
         " --tfinal 2 --delta-t 1 --target-modules query value --out " +
         out;
}

TEST(CliDistributed, TwoRanksOfBatch2MatchOneProcessOfBatch4) {
  testing::TempDir dir;
  const std::string model = dir.file("model");
  CliRun init = run_cli("init-model --arch tiny-bert --out " + model + " --seed 5");
  ASSERT_EQ(init.code, 0) << init.output;
  {  // a small word-level vocabulary (the rest is [UNK]): init-model writes no tokenizer
    std::ofstream vocab(model + "/vocab.txt");
    for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "is", "to"}) {
      vocab << s << "\n";
    }
  }
  io::Json config = io::load_json_file(model + "/config.json");
  config["hidden_dropout_prob"] = 0.0;
  config["attention_probs_dropout_prob"] = 0.0;
  io::save_json_file(model + "/config.json", config);

  CliRun one = run_cli(cola_args(model, dir.file("one"), 4));
  ASSERT_EQ(one.code, 0) << one.output;
  CliRun two = run_cli(cola_args(model, dir.file("two"), 2) + " --nproc-per-node 2 --check-replicas");
  ASSERT_EQ(two.code, 0) << two.output;
  EXPECT_NE(two.output.find("starting 2 ranks"), std::string::npos) << two.output;
  EXPECT_NE(two.output.find("6 steps on 2 ranks"), std::string::npos) << two.output;
  EXPECT_EQ(two.output.find("6 steps on 2 ranks"), two.output.rfind("6 steps on 2 ranks"))
      << "only rank 0 prints:\n" << two.output;
  EXPECT_NE(io::read_file(dir.file("two/ranks/rank_1.log")).find("6 steps on 2 ranks"),
            std::string::npos);

  const io::Json a = io::load_json_file(dir.file("one/results.json"));
  const io::Json b = io::load_json_file(dir.file("two/results.json"));
  EXPECT_EQ(b.at("world_size"), 2);
  EXPECT_EQ(a.at("optimizer_steps"), b.at("optimizer_steps"));
  EXPECT_EQ(a.at("metrics"), b.at("metrics"));
  EXPECT_EQ(io::read_file(dir.file("one/rank_pattern.json")),
            io::read_file(dir.file("two/rank_pattern.json")));
  EXPECT_TRUE(fs::exists(dir.file("two/adapter/adapter_model.safetensors")));
}

TEST(CliDistributed, ARankThatFailsEndsTheRunWithItsExitCode) {
  testing::TempDir dir;
  // Every rank rejects the missing model folder: the launcher forwards the code (2) and shows
  // rank 1's log tail.
  CliRun r = run_cli(cola_args(dir.file("missing"), dir.file("out"), 2) + " --nproc-per-node 2");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("error: "), std::string::npos) << r.output;
}

}  // namespace
}  // namespace adalora
