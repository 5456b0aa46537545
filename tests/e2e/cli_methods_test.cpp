// `adalora train --method M` for the paper's comparison methods (Houlsby, Pfeiffer, pruned LoRA,
// SVD-LoRA, LoRA-regu) on the tiny BERT task: the run finishes, writes the method's folder
// (peft_type as docs/methods.md says), and `adalora eval` on that folder reproduces the run's
// metrics exactly (the saved format reloads to the same outputs).
#include <gtest/gtest.h>

#include <filesystem>

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

class CliMethods : public testing::TinyTaskSuite<CliMethods> {
 public:
  static testing::TinyTaskSpec task_spec() { return {7, 48, 16, 5}; }
};

struct Case {
  const char* method;
  const char* flags;
  const char* peft_type;
};

TEST_F(CliMethods, EachMethodTrainsSavesAndEvaluates) {
  const Case cases[] = {
      {"houlsby", "--bottleneck-size 4", "HOULSBY"},
      {"pfeiffer", "--bottleneck-size 8 --non-linearity gelu", "PFEIFFER"},
      {"pruned_lora", "--r 4 --target-r 2 --tinit 1 --tfinal 2 --delta-t 1", "LORA"},
      {"svd_lora", "--r 3 --orth-reg-weight 0.1", "ADALORA"},
      {"lora_regu", "--r 3 --orth-reg-weight 0.1 --orth-reg-form paper", "LORA"},
  };
  for (const auto& c : cases) {
    const std::string out = dir_->file(c.method);
    CliRun t = run_cli("train" + task_flags() +
                       " --batch-size 8 --epochs 1 --learning-rate 5e-3 --seed 11 --max-seq-length 16" +
                       " --method " + c.method + " " + c.flags + " --out " + out);
    ASSERT_EQ(t.code, 0) << c.method << "\n" << t.output;
    const io::Json config = io::load_json_file(out + "/adapter/adapter_config.json");
    EXPECT_EQ(config.at("peft_type"), c.peft_type) << c.method;
    const io::Json results = io::load_json_file(out + "/results.json");
    CliRun e = run_cli("eval --json --model " + dir_->file("model") + " --adapter " + out + "/adapter --eval-file " +
                       dir_->file("dev.jsonl"));
    ASSERT_EQ(e.code, 0) << c.method << "\n" << e.output;
    const io::Json j = last_json_line(e.output);
    ASSERT_TRUE(j.is_object()) << e.output;
    for (const auto& [metric, value] : results.at("metrics").items()) {
      EXPECT_EQ(j.at("metrics").at(metric).get<double>(), value.get<double>()) << c.method << " " << metric;
    }
  }
}

}  // namespace
}  // namespace adalora
