// `adalora experiment`: a 2 methods × 2 learning rates × 2 seeds sweep on a tiny BERT runs, is
// interrupted after 3 cells, and continues (with --jobs 2, each cell its own process) without
// running the finished cells again; then the table, figures, dev/test results and the
// orthogonality log are where the docs say.
#include <gtest/gtest.h>

#include <filesystem>

#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::run_cli;

io::Json sweep_config() {
  return {{"model", "model"},
          {"task", "classification"},
          {"train_file", "train.jsonl"},
          {"eval_file", "dev.jsonl"},
          {"dev_fraction", 0.25},
          {"per_device_train_batch_size", 8},
          {"max_steps", 4},
          {"logging_steps", 1},
          {"save_steps", 0},
          {"target_modules", {"query", "value"}},
          {"learning_rates", {5e-3, 1e-2}},
          {"seeds", {1, 2}},
          {"methods",
           {{{"method", "adalora"}, {"init_r", 4}, {"target_r", 2}, {"tinit", 1}, {"tfinal", 1}, {"deltaT", 1}},
            {{"method", "lora"}, {"r", 2}}}}};
}

TEST(CliExperiment, InterruptedSweepContinuesWithoutRerunningFinishedCells) {
  testing::TempDir dir;
  CliRun init = testing::write_tiny_sentiment_task(dir.path(), testing::TinyTaskSpec{5, 64, 32, 4});
  ASSERT_EQ(init.code, 0) << init.output;
  io::save_json_file(dir.file("sweep.json"), sweep_config());
  const std::string out = dir.file("sweep");
  const std::string first_cell = out + "/adalora/-/lr0.005/seed1";

  CliRun r = run_cli("--threads 1 experiment " + dir.file("sweep.json") + " --out " + out + " --stop-after-cells 3");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("ran 3 cells, skipped 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("run the same command again"), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(first_cell + "/results.json"));
  EXPECT_FALSE(fs::exists(out + "/adalora/-/lr0.01/seed2/results.json"));
  EXPECT_EQ(io::load_json_file(out + "/experiment.json").at("complete"), false);
  const auto first_written = fs::last_write_time(first_cell + "/results.json");

  r = run_cli("--threads 2 experiment " + dir.file("sweep.json") + " --out " + out + " --jobs 2");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("ran 5 cells, skipped 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("skip 1/8: adalora lr0.005 seed1 (finished)"), std::string::npos) << r.output;
  EXPECT_EQ(fs::last_write_time(first_cell + "/results.json"), first_written);
  EXPECT_TRUE(fs::exists(out + "/lora/-/lr0.01/seed2/train.log"));  // a --jobs cell ran as its own process

  const io::Json summary = io::load_json_file(out + "/experiment.json");
  EXPECT_EQ(summary.at("complete"), true);
  ASSERT_EQ(summary.at("rows").size(), 2u);
  for (const auto& row : summary.at("rows")) {
    EXPECT_EQ(row.at("chosen").at("seeds"), 2);
    EXPECT_EQ(row.at("grid").size(), 2u);
  }
  for (const char* file : {"results.csv", "results.md", "figure2_performance.svg", "figure4_orthogonality.svg"}) {
    EXPECT_TRUE(fs::exists(out + "/" + file)) << file;
  }
  // One cell: selected on the carved dev split, the eval file reported as test.
  const io::Json cell = io::load_json_file(first_cell + "/results.json");
  EXPECT_EQ(cell.at("primary_metric"), "dev/accuracy");
  EXPECT_EQ(cell.at("test_metric"), "test/accuracy");
  EXPECT_TRUE(cell.at("metrics").contains("test/accuracy"));
  EXPECT_NEAR(cell.at("dev_split").at("rows").get<double>(), 16, 1);  // 0.25 of 64, per label rounded
  EXPECT_EQ(io::load_json_file(first_cell + "/best/eval.json").at("primary_metric"), "accuracy");
  // Figure 4's numbers at every logged step (logging_steps 1: steps 1..4).
  int64_t logged = 0;
  std::ifstream log(first_cell + "/log.jsonl");
  for (std::string line; std::getline(log, line);) {
    const io::Json j = io::Json::parse(line);
    if (!j.contains("loss")) continue;
    ++logged;
    EXPECT_GT(j.at("orth_P").get<double>(), 0.0) << line;
    EXPECT_GT(j.at("orth_Q").get<double>(), 0.0) << line;
  }
  EXPECT_EQ(logged, 4);
}

TEST(CliExperiment, ConfigErrorsNameTheFileAndKeyBeforeAnyCellRuns) {
  testing::TempDir dir;
  io::Json c = sweep_config();
  c["methods"][1]["rr"] = 2;
  io::save_json_file(dir.file("bad.json"), c);
  CliRun r = run_cli("experiment " + dir.file("bad.json") + " --out " + dir.file("out"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.json: methods[1]: unknown keys: rr"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("out/adalora")));
}

}  // namespace
}  // namespace adalora
