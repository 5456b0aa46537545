// fine_tune on the generative task families with tiny random models and byte-level tokenizers:
// a few steps lower the causal-LM training loss on a memorisation set, stop + resume ends
// bit-identical to an uninterrupted run (causal LM and seq2seq), the trainer's loss under
// label_smoothing_factor is HF's LabelSmoother, the seq2seq evaluation generates and scores ROUGE,
// and "all-linear" expands to PEFT's names.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>

#include "adalora/io/atomic_file.h"
#include "adalora/metrics/rouge.h"
#include "adalora/peft/all_linear.h"
#include "adalora/train/finetune.h"
#include "adalora/train/generation_eval.h"
#include "adalora/train/generative_data.h"
#include "adalora/train/token_loss.h"
#include "tests/support/golden.h"
#include "tests/support/tiny_generative_folders.h"
#include "tests/support/tiny_models.h"

namespace adalora::train {
namespace {

std::vector<io::Json> read_log(const std::string& path) {
  std::vector<io::Json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(io::Json::parse(line));
  return lines;
}

class GenerativeFineTuneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new testing::TempDir();
    testing::write_tiny_generative_folder(tmp_->file("gpt2"), "gpt2", 1);
    testing::write_tiny_generative_folder(tmp_->file("llama"), "llama", 2);
    testing::write_tiny_generative_folder(tmp_->file("bart"), "bart", 3);
    std::ofstream lm(tmp_->file("lm.jsonl"));
    lm << "{\"text\": \"the cat sat\"}\n{\"prompt\": \"2+2=\", \"completion\": \"4\"}\n"
       << "{\"text\": \"a dog ran\"}\n{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n";
    std::ofstream s2s(tmp_->file("xsum.jsonl"));
    s2s << "{\"document\": \"the cat sat on the mat\", \"summary\": \"cat sat\"}\n"
        << "{\"document\": \"a dog ran in the park\", \"summary\": \"dog ran\"}\n"
        << "{\"document\": \"birds fly south\", \"summary\": \"birds fly\"}\n";
  }
  static void TearDownTestSuite() { delete tmp_; }

  static FineTuneConfig config(const std::string& model, const std::string& out) {
    FineTuneConfig c;
    c.model_dir = tmp_->file(model);
    const bool seq2seq = model == "bart";
    c.task = seq2seq ? "summarization/xsum" : "causal_lm";
    c.train_file = tmp_->file(seq2seq ? "xsum.jsonl" : "lm.jsonl");
    c.eval_file = c.train_file;
    c.max_seq_length = 32;
    c.max_target_length = 16;
    c.method = "lora";
    c.method_config = {{"r", 4}, {"lora_alpha", 8}, {"lora_dropout", 0.0}};
    c.trainer.learning_rate = 2e-2;
    c.trainer.max_steps = 6;
    c.trainer.per_device_train_batch_size = 2;
    c.trainer.logging_steps = 1;
    c.trainer.save_steps = 0;
    c.trainer.output_dir = tmp_->file(out);
    c.eval_batch_size = 2;
    c.generation = {{"num_beams", 2}, {"max_length", 6}};
    return c;
  }
  static io::Json adalora_method() {
    return {{"init_r", 4}, {"target_r", 2}, {"tinit", 1}, {"tfinal", 2}, {"deltaT", 1},
            {"lora_alpha", 8}, {"lora_dropout", 0.0}};
  }
  static testing::TempDir* tmp_;
};
testing::TempDir* GenerativeFineTuneTest::tmp_ = nullptr;

TEST_F(GenerativeFineTuneTest, CausalLmStepsLowerTheLossOnAMemorisationSet) {
  for (const std::string model : {"gpt2", "llama"}) {
    SCOPED_TRACE(model);
    FineTuneConfig c = config(model, "memorise_" + model);
    c.trainer.max_steps = 20;
    const FineTuneResult r = fine_tune(c);
    const auto log = read_log(c.trainer.output_dir + "/log.jsonl");
    const double first = log.front().at("loss").get<double>();
    double last = 0;
    for (const auto& line : log) {
      if (line.contains("loss")) last = line.at("loss").get<double>();
    }
    EXPECT_LT(last, 0.75 * first) << "first " << first << " last " << last;  // gpt2 0.5, llama 0.66
    EXPECT_LT(r.metrics.at("dev/loss"), first);
    EXPECT_NEAR(r.metrics.at("dev/perplexity"), std::exp(r.metrics.at("dev/loss")), 1e-9);
    EXPECT_EQ(r.primary_metric, "dev/loss");
  }
}

// Adapter tensors of `dir`/adapter, bytes compared.
void expect_same_adapter(const std::string& a, const std::string& b) {
  EXPECT_EQ(io::read_file(a + "/adapter/adapter_model.safetensors"),
            io::read_file(b + "/adapter/adapter_model.safetensors"));
}

TEST_F(GenerativeFineTuneTest, StopAndResumeEndsBitIdenticalForCausalLmAndSeq2Seq) {
  for (const std::string model : {"gpt2", "bart"}) {
    SCOPED_TRACE(model);
    FineTuneConfig c = config(model, "whole_" + model);
    c.method = "adalora";
    c.method_config = adalora_method();
    c.trainer.max_steps = 4;
    c.predict_with_generate = false;
    fine_tune(c);
    FineTuneConfig d = c;
    d.trainer.output_dir = tmp_->file("stopped_" + model);
    const FineTuneResult stopped = fine_tune(d, [](const StepInfo& info) { return info.step < 2; });
    ASSERT_TRUE(stopped.train.stopped);
    d.trainer.resume = true;
    fine_tune(d);
    expect_same_adapter(c.trainer.output_dir, d.trainer.output_dir);
  }
}

TEST_F(GenerativeFineTuneTest, LabelSmoothingTrainsOnHfsLabelSmootherLoss) {
  // One step over the whole set: the logged loss is the smoothed loss of the base model (LoRA's
  // B = 0 makes the adapted model the base model until the first optimizer step).
  for (const std::string model : {"gpt2", "bart"}) {
    SCOPED_TRACE(model);
    FineTuneConfig c = config(model, "smooth_" + model);
    c.trainer.max_steps = 1;  // the logged loss is the forward before the optimizer step
    c.trainer.per_device_train_batch_size = 4;
    c.trainer.label_smoothing_factor = 0.1;
    c.predict_with_generate = false;
    fine_tune(c);
    const double logged = read_log(c.trainer.output_dir + "/log.jsonl").front().at("loss").get<double>();

    const bool seq2seq = model == "bart";
    auto base = models::load_pretrained(c.model_dir, seq2seq ? models::TaskHead::Seq2SeqLM
                                                             : models::TaskHead::CausalLM);
    base->eval();
    const auto tok = tokenizers::Tokenizer::from_dir(c.model_dir);
    const EncodedDataset data = seq2seq ? read_seq2seq_file(c.train_file, "document", "summary", tok, 32, 16).encoded
                                        : read_causal_lm_file(c.train_file, tok, 32);
    std::vector<int64_t> all(static_cast<size_t>(data.size()));
    std::iota(all.begin(), all.end(), 0);
    const Batch b = collate(data, all);
    const auto out = base->forward(b.to_model_inputs());
    EXPECT_NEAR(logged, label_smoothed_loss(out.logits, b.labels, 0.1, !seq2seq).item<double>(), 1e-5);
    EXPECT_GT(std::abs(logged - out.loss.item<double>()), 1e-4);  // not the unsmoothed loss
  }
}

TEST_F(GenerativeFineTuneTest, Seq2SeqEvaluationGeneratesScoresRougeAndWritesPredictions) {
  FineTuneConfig c = config("bart", "rouge");
  const FineTuneResult r = fine_tune(c);
  for (const char* m : {"dev/loss", "dev/rouge1", "dev/rouge2", "dev/rougeL", "dev/rougeLsum", "dev/gen_len"}) {
    ASSERT_TRUE(r.metrics.count(m)) << m;
  }
  EXPECT_EQ(r.primary_metric, "dev/rougeL");
  EXPECT_GE(r.metrics.at("dev/rougeL"), 0.0);
  EXPECT_LE(r.metrics.at("dev/rougeL"), 100.0);
  EXPECT_GT(r.metrics.at("dev/gen_len"), 1.0);
  EXPECT_LE(r.metrics.at("dev/gen_len"), 6.0);  // max_length 6
  const auto lines = read_log(c.trainer.output_dir + "/generated_predictions.jsonl");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].at("reference"), "dog ran");
  // The scores are the ROUGE of the written predictions.
  std::vector<std::string> predictions, references;
  for (const auto& l : lines) {
    predictions.push_back(l.at("prediction"));
    references.push_back(l.at("reference"));
  }
  EXPECT_DOUBLE_EQ(summarization_rouge(predictions, references).at("rougeL"), r.metrics.at("dev/rougeL"));
}

TEST(SummarizationRougeTest, IsTheMeanFTimesHundredWithTheStemmer) {
  const auto s = summarization_rouge({"the cats sat", "dog"}, {"the cat sat", "a bird"});
  EXPECT_DOUBLE_EQ(s.at("rouge1"), 50.0);  // stemmed: cats → cat, 100 and 0
  EXPECT_DOUBLE_EQ(s.at("rouge2"), 50.0);
  EXPECT_DOUBLE_EQ(s.at("rougeL"), 50.0);
}

TEST(SummarizationRougeTest, RougeLsumScoresPunktSentencesAsHfDoes) {
  // One line each, two sentences each: split, the union LCS matches both sentences in swapped
  // order (Lsum 100); unsplit, it would be the plain LCS of the whole texts (rougeL).
  const auto s = summarization_rouge({"Dr. Smith left. The cat sat."}, {"The cat sat. Dr. Smith left."});
  const auto unsplit = metrics::RougeScorer({"rougeLsum"}).score("The cat sat. Dr. Smith left.",
                                                                 "Dr. Smith left. The cat sat.");
  EXPECT_DOUBLE_EQ(s.at("rougeLsum"), 100.0);
  EXPECT_LT(unsplit.at("rougeLsum").fmeasure * 100.0, 100.0);
  EXPECT_DOUBLE_EQ(s.at("rougeL"), unsplit.at("rougeLsum").fmeasure * 100.0);
}

TEST(AllLinearTest, ExpandsToEveryLinearNameButTheOutputLayer) {
  EXPECT_TRUE(peft::is_all_linear("ALL-Linear"));
  EXPECT_FALSE(peft::is_all_linear(io::Json::array({"all-linear"})));
  auto gpt2 = testing::tiny_decoder("gpt2");
  EXPECT_EQ(peft::all_linear_target_names(*gpt2), (std::vector<std::string>{"c_attn", "c_fc", "c_proj"}));
  auto llama = testing::tiny_decoder("llama");  // untied: lm_head is a Linear and is left out
  EXPECT_EQ(peft::all_linear_target_names(*llama),
            (std::vector<std::string>{"down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj",
                                      "v_proj"}));
}

TEST_F(GenerativeFineTuneTest, AllLinearTargetsEveryProjectionOfLlama) {
  FineTuneConfig c = config("llama", "all_linear");
  c.trainer.max_steps = 1;
  c.method_config["target_modules"] = "all-linear";
  fine_tune(c);
  const io::Json saved = io::load_json_file(c.trainer.output_dir + "/adapter/adapter_config.json");
  EXPECT_EQ(saved.at("target_modules").size(), 7u) << saved.dump();
  EXPECT_EQ(saved.at("task_type"), "CAUSAL_LM");
}

}  // namespace
}  // namespace adalora::train
