// `adalora train --task causal_lm` (tiny GPT-2) and `--task summarization/xsum` (tiny BART) end to
// end on byte-level tokenizers: outputs, a stop + --resume ending byte-identical to a whole run,
// `adalora generate --adapter OUT` on the trained output, and bad rows → exit code 2 naming file,
// line and field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"
#include "tests/support/tiny_generative_folders.h"

namespace adalora {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::run_cli;

class CliGenerativeTrain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::write_tiny_generative_folder(dir_->file("gpt2"), "gpt2", 1);
    testing::write_tiny_generative_folder(dir_->file("bart"), "bart", 2);
    std::ofstream lm(dir_->file("lm.jsonl"));
    for (int i = 0; i < 6; ++i) {
      lm << io::Json{{"prompt", "n" + std::to_string(i) + "="}, {"completion", std::to_string(i * i)}}.dump() << "\n";
    }
    std::ofstream xsum(dir_->file("xsum.csv"));
    xsum << "id,document,summary\n1,the cat sat on the mat,cat sat\n2,a dog ran in the park,dog ran\n"
         << "3,\"birds, many, fly south\",birds fly\n4,fish swim in the sea,fish swim\n";
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string causal(const std::string& out, const std::string& lr = "1e-2", int steps = 6) {
    return "train --model " + dir_->file("gpt2") + " --task causal_lm --train-file " + dir_->file("lm.jsonl") +
           " --eval-file " + dir_->file("lm.jsonl") + " --out " + dir_->file(out) +
           " --init-r 4 --target-r 2 --tinit 1 --tfinal 2 --delta-t 1 --batch-size 2 --max-steps " + std::to_string(steps) +
           " --lora-dropout 0 --max-seq-length 16 --learning-rate " + lr;
  }
  static std::string summarization(const std::string& out, const std::string& lr = "1e-2", int steps = 6) {
    return "train --model " + dir_->file("bart") + " --task summarization/xsum --train-file " + dir_->file("xsum.csv") +
           " --eval-file " + dir_->file("xsum.csv") + " --out " + dir_->file(out) +
           " --method lora --r 4 --batch-size 2 --lora-dropout 0 --label-smoothing-factor 0.1 --max-steps " + std::to_string(steps) +
           " --num-beams 2 --generation-max-length 6 --max-target-length 8 --learning-rate " + lr;
  }
  static std::string adapter_bytes(const std::string& out) {
    return io::read_file(dir_->file(out) + "/adapter/adapter_model.safetensors");
  }
  static testing::TempDir* dir_;
};
testing::TempDir* CliGenerativeTrain::dir_ = nullptr;

TEST_F(CliGenerativeTrain, CausalLmTrainsResumesAndGeneratesWithTheAdapter) {
  CliRun r = run_cli(causal("lm"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("dev/perplexity"), std::string::npos) << r.output;
  const io::Json results = io::load_json_file(dir_->file("lm/results.json"));
  EXPECT_EQ(results.at("primary_metric"), "dev/loss");
  const io::Json config = io::load_json_file(dir_->file("lm/adapter/adapter_config.json"));
  EXPECT_EQ(config.at("peft_type"), "ADALORA");
  EXPECT_EQ(config.at("task_type"), "CAUSAL_LM");
  EXPECT_EQ(config.at("fan_in_fan_out"), true);  // GPT-2's Conv1D
  EXPECT_EQ(config.at("target_modules"), io::Json::array({"c_attn"}));

  r = run_cli(causal("lm_resumed") + " --stop-after-steps 3");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir_->file("lm_resumed/adapter")));
  r = run_cli(causal("lm_resumed") + " --resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(adapter_bytes("lm_resumed"), adapter_bytes("lm"));

  std::ofstream(dir_->file("prompts.jsonl")) << "{\"text\": \"n3=\"}\n";
  r = run_cli("generate --model " + dir_->file("gpt2") + " --adapter " + dir_->file("lm") + " --input " +
              dir_->file("prompts.jsonl") + " --max-new-tokens 3");
  ASSERT_EQ(r.code, 0) << r.output;
  const size_t generated = testing::last_json_line(r.output).at("ids").size();
  EXPECT_GE(generated, 1u) << r.output;
  EXPECT_LE(generated, 3u) << r.output;
}

TEST_F(CliGenerativeTrain, SummarizationTrainsScoresRougeResumesAndGenerates) {
  CliRun r = run_cli(summarization("xsum"));
  ASSERT_EQ(r.code, 0) << r.output;
  const io::Json results = io::load_json_file(dir_->file("xsum/results.json"));
  EXPECT_EQ(results.at("primary_metric"), "dev/rougeL");
  for (const char* m : {"dev/rouge1", "dev/rouge2", "dev/rougeL", "dev/rougeLsum", "dev/loss", "dev/gen_len"}) {
    EXPECT_TRUE(results.at("metrics").contains(m)) << m;
  }
  EXPECT_EQ(results.at("generation").at("num_beams"), 2);
  EXPECT_TRUE(fs::exists(dir_->file("xsum/generated_predictions.jsonl")));
  EXPECT_EQ(io::load_json_file(dir_->file("xsum/adapter/adapter_config.json")).at("task_type"), "SEQ_2_SEQ_LM");

  r = run_cli(summarization("xsum_resumed") + " --stop-after-steps 2");
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_cli(summarization("xsum_resumed") + " --resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(adapter_bytes("xsum_resumed"), adapter_bytes("xsum"));

  std::ofstream(dir_->file("docs.jsonl")) << "{\"text\": \"the cat sat on the mat\"}\n";
  r = run_cli("generate --model " + dir_->file("bart") + " --adapter " + dir_->file("xsum") + " --input " +
              dir_->file("docs.jsonl") + " --num-beams 2 --max-length 6");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(testing::last_json_line(r.output).contains("text")) << r.output;
}

TEST_F(CliGenerativeTrain, TwoRanksEvaluateExactlyAsOneProcess) {
  // Learning rate 1e-20 (0 is refused): both runs evaluate the base model, the adapters' updates
  // far below float32 resolution; 2 ranks shard the dev rows and gather the token-loss sums and
  // the generated ids.
  for (const bool seq2seq : {false, true}) {
    SCOPED_TRACE(seq2seq ? "summarization" : "causal_lm");
    const std::string name = seq2seq ? "s2s_ranks" : "lm_ranks";
    auto args = [&](const std::string& out) {
      return seq2seq ? summarization(out, "1e-20", 4) : causal(out, "1e-20", 4);
    };
    CliRun one = run_cli(args(name + "1"));
    ASSERT_EQ(one.code, 0) << one.output;
    CliRun two = run_cli(args(name + "2") + " --nproc-per-node 2");
    ASSERT_EQ(two.code, 0) << two.output;
    const io::Json a = io::load_json_file(dir_->file(name + "1/results.json")).at("metrics");
    const io::Json b = io::load_json_file(dir_->file(name + "2/results.json")).at("metrics");
    EXPECT_NEAR(a.at("dev/loss").get<double>(), b.at("dev/loss").get<double>(), 1e-6);
    if (seq2seq) {
      for (const char* m : {"dev/rouge1", "dev/rouge2", "dev/rougeL", "dev/rougeLsum", "dev/gen_len"}) {
        EXPECT_EQ(a.at(m), b.at(m)) << m;
      }
      EXPECT_EQ(io::read_file(dir_->file(name + "1/generated_predictions.jsonl")),
                io::read_file(dir_->file(name + "2/generated_predictions.jsonl")));
    }
  }
}

// --dtype bfloat16: the base runs in bfloat16, the adapter is trained and saved in float32 (PEFT's
// autocast_adapter_dtype); generate and logits take the same flag; float16 is refused by name.
TEST_F(CliGenerativeTrain, Bfloat16TrainsWithFloat32AdapterAndGenerates) {
  CliRun r = run_cli(causal("lm_bf16", "1e-2", 4) + " --dtype bfloat16");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(io::load_json_file(dir_->file("lm_bf16/results.json")).at("dtype"), "bfloat16");
  const auto adapter = io::SafetensorsFile::open(dir_->file("lm_bf16/adapter/adapter_model.safetensors"));
  ASSERT_FALSE(adapter.names().empty());
  for (const auto& name : adapter.names()) EXPECT_EQ(adapter.load(name).scalar_type(), torch::kFloat32) << name;

  std::ofstream(dir_->file("bf16_prompts.jsonl")) << "{\"input_ids\": [5, 6, 7]}\n";
  r = run_cli("generate --model " + dir_->file("gpt2") + " --adapter " + dir_->file("lm_bf16") + " --input " +
              dir_->file("bf16_prompts.jsonl") + " --max-new-tokens 3 --dtype bfloat16");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_GE(testing::last_json_line(r.output).at("ids").size(), 1u) << r.output;
  r = run_cli("logits --model " + dir_->file("gpt2") + " --input " + dir_->file("bf16_prompts.jsonl") +
              " --dtype bfloat16");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(testing::last_json_line(r.output).at("logits").size(), 3u) << r.output;

  r = run_cli("logits --model " + dir_->file("gpt2") + " --input " + dir_->file("bf16_prompts.jsonl") +
              " --dtype float16");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--dtype: float16 is not supported"), std::string::npos) << r.output;
  r = run_cli(causal("lm_bad_dtype", "1e-2", 1) + " --dtype bf16");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("dtype: expected float32 or bfloat16, got \"bf16\""), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_->file("lm_bad_dtype")));
}

TEST_F(CliGenerativeTrain, BadRowsExitWithTwoNamingFileLineAndField) {
  std::ofstream(dir_->file("bad.csv")) << "document,summary\nok,fine\n,empty doc\n";
  CliRun r = run_cli("train --model " + dir_->file("bart") + " --task summarization --train-file " +
                     dir_->file("bad.csv") + " --eval-file " + dir_->file("bad.csv") + " --out " +
                     dir_->file("bad_out") + " --method lora --max-steps 1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.csv:3: document: expected a non-empty text"), std::string::npos) << r.output;
  std::ofstream(dir_->file("bad.jsonl")) << "{\"prompt\": \"x\"}\n";
  r = run_cli("train --model " + dir_->file("gpt2") + " --task causal_lm --train-file " + dir_->file("bad.jsonl") +
              " --eval-file " + dir_->file("bad.jsonl") + " --out " + dir_->file("bad_lm") + " --method lora");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.jsonl:1: completion: expected a string"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace adalora
