// `--device` on the CLI (issue 18): cpu trains, evaluates and predicts exactly as the default does
// (same adapter bytes, same metrics), and cuda is refused with exit code 2 and one clear message
// where this LibTorch has no CUDA or no GPU is visible — before any data or model is read.
#include <gtest/gtest.h>

#include <torch/cuda.h>

#include <filesystem>

#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "tests/e2e/cli_runner.h"
#include "tests/e2e/tiny_task_suite.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {

using testing::CliRun;
using testing::last_json_line;
using testing::run_cli;

class CliDevice : public testing::TinyTaskSuite<CliDevice> {
 public:
  static testing::TinyTaskSpec task_spec() { return {7, 48, 16, 5}; }

 protected:
  static std::string train(const std::string& out, const std::string& device_flag) {
    return "train" + task_flags() +
           " --batch-size 8 --epochs 1 --learning-rate 5e-3 --init-r 4 --target-r 2 --tinit 1" +
           " --tfinal 2 --delta-t 1 --seed 11 --out " + out + device_flag;
  }
};

TEST_F(CliDevice, CpuIsTheDefaultBitForBit) {
  CliRun a = run_cli(train(dir_->file("default"), ""));
  CliRun b = run_cli(train(dir_->file("cpu"), " --device cpu"));
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(b.code, 0) << b.output;
  auto fa = io::SafetensorsFile::open(dir_->file("default/adapter/adapter_model.safetensors"));
  auto fb = io::SafetensorsFile::open(dir_->file("cpu/adapter/adapter_model.safetensors"));
  ASSERT_EQ(fa.names(), fb.names());
  for (const auto& n : fa.names()) EXPECT_TRUE(torch::equal(fa.load(n), fb.load(n))) << n;

  const io::Json results = io::load_json_file(dir_->file("cpu/results.json"));
  CliRun e = run_cli("eval --json --device cpu --model " + dir_->file("model") + " --adapter " +
                     dir_->file("cpu") + " --eval-file " + dir_->file("dev.jsonl"));
  ASSERT_EQ(e.code, 0) << e.output;
  const io::Json j = last_json_line(e.output);
  for (const auto& [metric, value] : results.at("metrics").items()) {
    EXPECT_EQ(j.at("metrics").at(metric).get<double>(), value.get<double>()) << metric;
  }
  CliRun p = run_cli("predict --device cpu --model " + dir_->file("model") + " --adapter " +
                     dir_->file("cpu") + " --input " + dir_->file("dev.jsonl") + " --output " +
                     dir_->file("pred.jsonl"));
  ASSERT_EQ(p.code, 0) << p.output;
  EXPECT_TRUE(std::filesystem::exists(dir_->file("pred.jsonl")));
}

TEST_F(CliDevice, CudaWithoutAGpuExitsTwoWithOneClearMessage) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible: scripts/gpu_check.sh covers it";
  const std::string message = "this build of LibTorch has no CUDA / no GPU visible";
  for (const std::string& args :
       {train(dir_->file("cuda"), " --device cuda"),
        "eval --device cuda:0 --model " + dir_->file("model") + " --adapter " + dir_->file("none"),
        "predict --device cuda --model " + dir_->file("model") + " --adapter " + dir_->file("none") +
            " --input x --output y",
        std::string("generate --device cuda --model ") + dir_->file("model")}) {
    CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_->file("cuda"))) << "refused before writing anything";
  CliRun bad = run_cli(train(dir_->file("gpu"), " --device gpu"));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("expected cpu, cuda or cuda:N, got \"gpu\""), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace adalora
