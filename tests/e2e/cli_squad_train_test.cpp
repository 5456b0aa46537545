// `adalora train --task squad|squad_v2` on a tiny DeBERTa-v3 and generated SQuAD files whose
// contexts need several windows: the run writes predictions.json (and null_odds.json for v2) that
// `adalora eval --predictions` rescores to the run's own metrics; a run stopped in the budgeting
// phase and resumed ends with the uninterrupted run's adapter and predictions, byte for byte; two
// ranks predict the same answers as one process (the dev logits are gathered exactly).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

// Contexts of 30 words "w<k>"; questions "where is w<k> ?" answered by the word after it, or (v2,
// every third question) by nothing. With max_seq_length 24 (7 tokens of question and specials)
// and doc_stride 6, each context is 3 windows.
io::Json squad_file(int first_question, int questions, bool v2) {
  io::Json paragraphs = io::Json::array();
  for (int q = first_question; q < first_question + questions; ++q) {
    std::string context;
    std::vector<int64_t> starts;
    for (int k = 0; k < 30; ++k) {
      if (!context.empty()) context += " ";
      starts.push_back(static_cast<int64_t>(context.size()));
      context += "w" + std::to_string((q * 7 + k) % 60);
    }
    const int at = (q * 11) % 28;  // the asked word; the answer is the next one
    const bool impossible = v2 && q % 3 == 2;
    const std::string next = "w" + std::to_string((q * 7 + at + 1) % 60);
    io::Json answers = io::Json::array();
    if (!impossible) answers.push_back({{"text", next}, {"answer_start", starts[at + 1]}});
    io::Json qa = {{"id", "q" + std::to_string(q)},
                   {"question", "where is w" + std::to_string((q * 7 + at) % 60) + " ?"},
                   {"answers", answers}};
    if (v2) qa["is_impossible"] = impossible;
    paragraphs.push_back({{"context", context}, {"qas", io::Json::array({qa})}});
  }
  return {{"version", v2 ? "v2.0" : "1.1"},
          {"data", io::Json::array({{{"title", "t"}, {"paragraphs", paragraphs}}})}};
}

class CliSquadTrain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    CliRun r = run_cli("init-model --arch tiny-deberta-v3 --out " + dir_->file("model") +
                       " --seed 5 --head question_answering");
    ASSERT_EQ(r.code, 0) << r.output;
    std::ofstream vocab(dir_->file("model/vocab.txt"));
    for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "where", "is", "?"}) {
      vocab << s << "\n";
    }
    for (int i = 0; i < 60; ++i) vocab << "w" << i << "\n";
    vocab.close();
    // Dropout off: the two-rank run must see the arithmetic of one process.
    io::Json config = io::load_json_file(dir_->file("model/config.json"));
    config["hidden_dropout_prob"] = 0.0;
    config["attention_probs_dropout_prob"] = 0.0;
    io::save_json_file(dir_->file("model/config.json"), config);
    for (const bool v2 : {false, true}) {
      const std::string sub = dir_->file(v2 ? "v2" : "v1");
      fs::create_directories(sub);
      io::save_json_file(sub + (v2 ? "/train-v2.0.json" : "/train-v1.1.json"), squad_file(0, 8, v2));
      io::save_json_file(sub + (v2 ? "/dev-v2.0.json" : "/dev-v1.1.json"), squad_file(20, 6, v2));
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  // AdaLoRA: 8 questions × 3 windows = 24 features, batch 4 → 6 steps per epoch; 6 steps with the
  // budgeting phase in steps 2..4 and a mask every step.
  static std::string train(const std::string& task, const std::string& out,
                           const std::string& learning_rate = "1e-2", int batch_size = 4) {
    const bool v2 = task == "squad_v2";
    return "train --model " + dir_->file("model") + " --task " + task + " --data-dir " +
           dir_->file(v2 ? "v2" : "v1") +
           " --max-seq-length 24 --doc-stride 6 --max-answer-length 5 --n-best-size 10"
           " --batch-size " + std::to_string(batch_size) +
           " --max-steps 6 --save-steps 2 --learning-rate " + learning_rate +
           " --seed 7 --init-r 4 --target-r 2 --tinit 1 --tfinal 2 --delta-t 1"
           " --target-modules query_proj value_proj --out " + out;
  }
  static io::Json rescore(const std::string& task, const std::string& out, const std::string& extra = "") {
    const bool v2 = task == "squad_v2";
    CliRun e = run_cli("eval --task " + task + " --json --predictions " + out +
                       "/predictions.json --data " +
                       dir_->file(v2 ? "v2/dev-v2.0.json" : "v1/dev-v1.1.json") + extra);
    EXPECT_EQ(e.code, 0) << e.output;
    return last_json_line(e.output).value("metrics", io::Json::object());
  }
  static testing::TempDir* dir_;
};
testing::TempDir* CliSquadTrain::dir_ = nullptr;

TEST_F(CliSquadTrain, V2PredictionsRescoreToTheRunsMetrics) {
  const std::string out = dir_->file("v2_run");
  CliRun r = run_cli(train("squad_v2", out));
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* f : {"predictions.json", "null_odds.json", "results.json",
                        "adapter/adapter_model.safetensors", "adapter/adapter_config.json"}) {
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  }
  // The closing line names what the run wrote, and a QA run writes no labels.json.
  EXPECT_NE(r.output.find("/{adapter/, results.json, log.jsonl, predictions.json, null_odds.json"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("labels.json"), std::string::npos) << r.output;
  const io::Json results = io::load_json_file(out + "/results.json");
  EXPECT_EQ(results.at("primary_metric"), "dev/f1");
  EXPECT_EQ(results.at("doc_stride"), 6);
  const io::Json metrics = rescore("squad_v2", out);
  ASSERT_FALSE(metrics.empty());
  for (const char* key : {"exact", "f1", "total", "HasAns_exact", "HasAns_f1", "NoAns_exact", "NoAns_f1"}) {
    ASSERT_TRUE(metrics.contains(key)) << key;
    EXPECT_EQ(results.at("metrics").at(std::string("dev/") + key), metrics.at(key)) << key;
  }
  EXPECT_EQ(metrics.at("total"), 6);
  EXPECT_EQ(metrics.at("NoAns_total"), 2);
  // The best-threshold keys: evaluate-v2.0.py's with --na-prob-file null_odds.json.
  const io::Json with_odds = rescore("squad_v2", out, " --na-probs " + out + "/null_odds.json");
  for (const char* key : {"best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh"}) {
    ASSERT_TRUE(with_odds.contains(key)) << key;
    EXPECT_EQ(results.at("metrics").at(std::string("dev/") + key), with_odds.at(key)) << key;
  }
  const io::Json odds = io::load_json_file(out + "/null_odds.json");
  EXPECT_EQ(odds.size(), 6u);
  const io::Json adapter = io::load_json_file(out + "/adapter/adapter_config.json");
  EXPECT_EQ(adapter.at("task_type"), "QUESTION_ANS");
  EXPECT_EQ(adapter.at("modules_to_save"), io::Json::array({"qa_outputs"}));
}

TEST_F(CliSquadTrain, StoppedInTheBudgetingPhaseResumesToTheSameAdapterAndAnswers) {
  const std::string a = dir_->file("v1_whole"), b = dir_->file("v1_resumed");
  CliRun whole = run_cli(train("squad", a));
  ASSERT_EQ(whole.code, 0) << whole.output;
  CliRun first = run_cli(train("squad", b) + " --stop-after-steps 3");
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_FALSE(fs::exists(b + "/predictions.json")) << "a stopped run writes only its checkpoint";
  CliRun rest = run_cli(train("squad", b) + " --resume");
  ASSERT_EQ(rest.code, 0) << rest.output;
  for (const char* f : {"adapter/adapter_model.safetensors", "rank_pattern.json", "predictions.json"}) {
    ASSERT_TRUE(fs::exists(a + "/" + f)) << f;
    EXPECT_EQ(io::read_file(a + "/" + f), io::read_file(b + "/" + f)) << f << " differs after resume";
  }
  const io::Json ra = io::load_json_file(a + "/results.json");
  EXPECT_EQ(ra.at("metrics"), io::load_json_file(b + "/results.json").at("metrics"));
  const io::Json metrics = rescore("squad", b);
  EXPECT_EQ(metrics.at("exact_match"), ra.at("metrics").at("dev/exact_match"));
  EXPECT_EQ(metrics.at("f1"), ra.at("metrics").at("dev/f1"));
}

TEST_F(CliSquadTrain, TwoRanksAnswerAsOneProcess) {
  // A learning rate of 1e-30 (0 is refused) leaves the float32 weights as they were, and one
  // window per forward pass: both runs evaluate the same weights on the same shapes, so only the
  // sharding and the gathering of the logits can differ.
  const std::string config = dir_->file("eval_batch_1.json");
  io::save_json_file(config, {{"eval_batch_size", 1}});
  const std::string one = dir_->file("v2_one"), two = dir_->file("v2_two");
  CliRun r1 = run_cli(train("squad_v2", one, "1e-30", 4) + " --config " + config);
  ASSERT_EQ(r1.code, 0) << r1.output;
  CliRun r2 = run_cli(train("squad_v2", two, "1e-30", 2) + " --config " + config + " --nproc-per-node 2");
  ASSERT_EQ(r2.code, 0) << r2.output;
  EXPECT_EQ(io::read_file(one + "/predictions.json"), io::read_file(two + "/predictions.json"));
  EXPECT_EQ(io::read_file(one + "/null_odds.json"), io::read_file(two + "/null_odds.json"));
}

TEST_F(CliSquadTrain, V1DataWithAnUnanswerableQuestionNamesIt) {
  const std::string data = dir_->file("bad");
  fs::create_directories(data);
  io::save_json_file(data + "/train-v1.1.json", squad_file(0, 3, /*v2=*/true));
  io::save_json_file(data + "/dev-v1.1.json", squad_file(20, 2, false));
  CliRun r = run_cli("train --model " + dir_->file("model") + " --task squad --data-dir " + data +
                     " --max-seq-length 24 --doc-stride 6 --max-steps 1 --out " + dir_->file("bad_out"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("train-v1.1.json: question \"q2\": answers: expected at least one"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace adalora
