// Causal-LM and seq2seq rows → label sequences: prompt tokens masked (and the model's loss then
// equals a hand-masked computation), text rows labelled in full, seq2seq targets with the
// tokenizer's <s> … </s>, XSum / CNN-DailyMail columns from JSONL and CSV, and bad rows named.
#include "adalora/train/generative_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "adalora/core/error.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tiny_generative_folders.h"

namespace adalora::train {
namespace {

using testing::error_of;

class GenerativeDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_tiny_generative_folder(tmp_.file("gpt2"), "gpt2");
    testing::write_tiny_generative_folder(tmp_.file("bart"), "bart");
  }
  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(tmp_.file(name)) << content;
    return tmp_.file(name);
  }
  testing::TempDir tmp_;
};

TEST_F(GenerativeDataTest, PromptTokensAreMaskedAndTheLossEqualsAHandMaskedLoss) {
  const auto tok = tokenizers::Tokenizer::from_dir(tmp_.file("gpt2"));
  const std::string path = write("train.jsonl",
                                 "{\"prompt\": \"Q: 2+2? A:\", \"completion\": \" four\"}\n"
                                 "{\"text\": \"héllo\"}\n");
  const EncodedDataset d = read_causal_lm_file(path, tok, 64);
  ASSERT_EQ(d.size(), 2);
  // Byte-level, one token per byte: 10 prompt bytes, 5 completion bytes.
  ASSERT_EQ(d.input_ids[0].size(), 15u);
  for (size_t t = 0; t < 15; ++t) {
    EXPECT_EQ(d.label_ids[0][t], t < 10 ? -100 : d.input_ids[0][t]) << t;
  }
  EXPECT_EQ(d.label_ids[1], d.input_ids[1]);  // "text": every token (é is two bytes)
  EXPECT_EQ(d.input_ids[1].size(), 6u);

  // The model's loss with these labels = the mean -log p over the completion tokens only.
  torch::manual_seed(0);
  auto model = models::load_pretrained(tmp_.file("gpt2"), models::TaskHead::CausalLM);
  model->eval();
  models::ModelInputs in;
  in.input_ids = torch::tensor(d.input_ids[0], torch::kLong).view({1, -1});
  in.labels = torch::tensor(d.label_ids[0], torch::kLong).view({1, -1});
  const auto out = model->forward(in);
  const torch::Tensor logp = torch::log_softmax(out.logits[0].to(torch::kFloat64), -1);  // [T, V]
  double sum = 0;
  for (int64_t t = 10; t < 15; ++t) sum -= logp[t - 1][d.input_ids[0][t]].item<double>();
  EXPECT_NEAR(out.loss.item<double>(), sum / 5, 1e-5);
  // ... and differs from the unmasked loss.
  in.labels = in.input_ids;
  EXPECT_GT(std::abs(model->forward(in).loss.item<double>() - sum / 5), 1e-3);
}

TEST_F(GenerativeDataTest, TruncationKeepsTheLeftAndRefusesACompletionCutAway) {
  const auto tok = tokenizers::Tokenizer::from_dir(tmp_.file("gpt2"));
  const std::string ok = write("ok.jsonl", "{\"prompt\": \"abcd\", \"completion\": \"efgh\"}\n");
  const EncodedDataset d = read_causal_lm_file(ok, tok, 6);
  EXPECT_EQ(d.input_ids[0].size(), 6u);
  EXPECT_EQ(d.label_ids[0], (std::vector<int64_t>{-100, -100, -100, -100, d.input_ids[0][4], d.input_ids[0][5]}));
  EXPECT_NE(error_of([&] { read_causal_lm_file(ok, tok, 4); })
                .find(":1: completion: expected at least one token to predict within max_seq_length=4"),
            std::string::npos);
}

TEST_F(GenerativeDataTest, BadCausalRowsNameFileLineAndField) {
  const auto tok = tokenizers::Tokenizer::from_dir(tmp_.file("gpt2"));
  EXPECT_NE(error_of([&] { read_causal_lm_file(write("a.jsonl", "{\"text\": \"ok\"}\n{\"prompt\": \"x\"}\n"), tok, 8); })
                .find("a.jsonl:2: completion: expected a string"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              read_causal_lm_file(write("b.jsonl", "{\"text\": \"ok\", \"prompt\": \"x\", \"completion\": \"y\"}\n"), tok, 8);
            }).find("b.jsonl:1: expected either \"text\" or \"prompt\" + \"completion\", got both"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_causal_lm_file(write("c.jsonl", "{\"text\": 5}\n"), tok, 8); })
                .find("c.jsonl:1: text: expected a string, got 5"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_causal_lm_file(write("d.txt", "x"), tok, 8); })
                .find("file extension: expected .jsonl, .json or .csv"),
            std::string::npos);
}

TEST_F(GenerativeDataTest, Seq2SeqReadsXsumJsonlAndCnnDailyMailCsvWithBartSpecialTokens) {
  const auto tok = tokenizers::Tokenizer::from_dir(tmp_.file("bart"));
  const Seq2SeqData xsum = read_seq2seq_file(
      write("xsum.jsonl", "{\"document\": \"a long text\", \"summary\": \"ab\", \"id\": \"1\"}\n"),
      "document", "summary", tok, 64, 16);
  ASSERT_EQ(xsum.encoded.size(), 1);
  // <s> a b </s>: BOS 0, the bytes 'a' and 'b' (ids 4 + their rank in GPT-2's byte order), EOS 2.
  const std::vector<int64_t>& labels = xsum.encoded.label_ids[0];
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels.front(), 0);
  EXPECT_EQ(labels.back(), 2);
  EXPECT_EQ(tok.decode(labels), "ab");
  EXPECT_EQ(xsum.encoded.input_ids[0].size(), 2u + 11u);
  EXPECT_EQ(xsum.encoded.pad_id, 1);

  const Seq2SeqData cnn = read_seq2seq_file(
      write("cnn.csv", "id,article,highlights\n1,\"some, article\",\"one.\nTwo.\"\n"), "article",
      "highlights", tok, 64, 5);
  EXPECT_EQ(cnn.targets[0], "one.\nTwo.");
  EXPECT_EQ(cnn.encoded.label_ids[0].size(), 5u);  // max_target_length counts <s> and </s>
  EXPECT_EQ(cnn.encoded.label_ids[0].back(), 2);
}

TEST_F(GenerativeDataTest, Seq2SeqRefusesMissingColumnsAndEmptyDocuments) {
  const auto tok = tokenizers::Tokenizer::from_dir(tmp_.file("bart"));
  EXPECT_NE(error_of([&] {
              read_seq2seq_file(write("e.jsonl", "{\"document\": \"x\", \"summary\": \"y\"}\n{\"document\": \"  \", \"summary\": \"y\"}\n"),
                                "document", "summary", tok, 64, 16);
            }).find("e.jsonl:2: document: expected a non-empty text"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              read_seq2seq_file(write("f.csv", "document,text\nx,y\n"), "document", "summary", tok, 64, 16);
            }).find("f.csv:2: summary: expected a string, got none"),
            std::string::npos);
}

}  // namespace
}  // namespace adalora::train
