// `adalora export` end to end on a trained tiny BERT: --to lora gives an adapter that `eval` scores
// like the AdaLoRA one; --to merged gives a HF folder whose logits are the unmerged model's (F32,
// and BF16 sharded); the adapter_config.json of a training run names its task type and base.
#include <gtest/gtest.h>

#include <filesystem>

#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "adalora/train/evaluate.h"
#include "adalora/tasks/registry.h"
#include "tests/e2e/cli_runner.h"
#include "tests/e2e/tiny_task_suite.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::last_json_line;
using testing::run_cli;

class CliExport : public testing::TinyTaskSuite<CliExport> {
 public:
  static testing::TinyTaskSpec task_spec() { return {5, 64, 40, 4}; }

 protected:
  static void SetUpTestSuite() {
    TinyTaskSuite::SetUpTestSuite();
    if (HasFatalFailure()) return;
    CliRun t = run_cli("train" + task_flags() +
                       " --batch-size 8 --epochs 2 --learning-rate 5e-3 --seed 11 --max-seq-length 16 --out " +
                       dir_->file("ada") +
                       " --method adalora --init-r 4 --target-r 2 --tinit 2 --tfinal 4 --delta-t 2"
                       " --target-modules query value dense");
    ASSERT_EQ(t.code, 0) << t.output;
  }
  static std::string model() { return dir_->file("model"); }
};

TEST_F(CliExport, TrainedAdapterNamesTaskTypeAndBaseModel) {
  const io::Json config = io::load_json_file(dir_->file("ada/adapter/adapter_config.json"));
  EXPECT_EQ(config.at("task_type"), "SEQ_CLS");
  EXPECT_EQ(config.at("base_model_name_or_path"), model());
}

TEST_F(CliExport, LoraExportEvaluatesLikeTheAdaLoraAdapter) {
  const std::string out = dir_->file("ada_lora");
  CliRun e = run_cli("export --to lora --adapter " + dir_->file("ada/adapter") + " --out " + out);
  ASSERT_EQ(e.code, 0) << e.output;
  const io::Json config = io::load_json_file(out + "/adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "LORA");
  EXPECT_EQ(config.at("task_type"), "SEQ_CLS");
  // labels.json travels with the export, so eval needs no --task.
  CliRun r = run_cli("eval --json --model " + model() + " --adapter " + out + " --max-seq-length 16 --eval-file " +
                     dir_->file("dev.jsonl"));
  ASSERT_EQ(r.code, 0) << r.output;
  const io::Json results = io::load_json_file(dir_->file("ada/results.json"));
  EXPECT_EQ(last_json_line(r.output).at("metrics").at("dev/accuracy"), results.at("metrics").at("dev/accuracy"));

  CliRun too_small = run_cli("export --to lora --uniform-rank 1 --adapter " + dir_->file("ada/adapter") +
                             " --out " + dir_->file("ada_lora1"));
  if (config.at("r").get<int64_t>() > 1) {
    EXPECT_EQ(too_small.code, 2) << too_small.output;
    EXPECT_NE(too_small.output.find("uniform rank 1"), std::string::npos) << too_small.output;
  }
  CliRun limit = run_cli("export --to lora --uniform-rank 8 --max-rank 4 --adapter " +
                         dir_->file("ada/adapter") + " --out " + dir_->file("ada_lora8"));
  EXPECT_EQ(limit.code, 2) << limit.output;
  EXPECT_NE(limit.output.find("--max-rank"), std::string::npos) << limit.output;
}

TEST_F(CliExport, MergedModelGivesTheUnmergedLogits) {
  train::InferenceConfig ic;
  ic.model_dir = model();
  ic.adapter_dir = dir_->file("ada/adapter");
  ic.max_seq_length = 16;
  train::TrainedClassifier c = train::load_trained_classifier(ic);
  const data::Dataset dev = tasks::read_task_file(*c.spec, dir_->file("dev.jsonl"), c.label_names);
  const auto encoded = train::encode(dev, *c.tokenizer, 16);
  const torch::Tensor unmerged = train::predict_logits(*c.model, encoded, 8);  // [40, 2]

  for (const auto& [flags, tolerance] : {std::pair<std::string, double>{"", 1e-5},
                                         {"--dtype bf16 --max-shard-size 20KB", 0.1}}) {
    const std::string out = dir_->file(flags.empty() ? "merged" : "merged_bf16");
    CliRun e = run_cli("export --to merged --model " + model() + " --adapter " + dir_->file("ada") +
                       " --out " + out + " " + flags);
    ASSERT_EQ(e.code, 0) << e.output;
    const io::Json config = io::load_json_file(out + "/config.json");
    EXPECT_EQ(config.at("architectures").at(0), "BertForSequenceClassification");
    EXPECT_EQ(config.at("id2label").size(), c.label_names.size());
    EXPECT_EQ(config.at("id2label").at("0"), c.label_names.at(0));
    EXPECT_TRUE(fs::exists(out + "/vocab.txt") || fs::exists(out + "/tokenizer.json")) << out;
    if (!flags.empty()) {
      EXPECT_TRUE(fs::exists(out + "/model.safetensors.index.json"));
      EXPECT_FALSE(fs::exists(out + "/model.safetensors"));
      EXPECT_EQ(config.at("torch_dtype"), "bfloat16");
    }
    auto merged = models::load_pretrained(out, models::TaskHead::SequenceClassification);
    merged->eval();
    EXPECT_TENSOR_NEAR(train::predict_logits(*merged, encoded, 8), unmerged, tolerance, tolerance) << flags;
  }
}

}  // namespace
}  // namespace adalora
