// pretrain(): block packing, and a tiny MLM run on a generated corpus — the loss falls, the folder
// loads as a classifier's encoder and as a tokenizer, a rerun gives the same bytes, a time budget
// stops and saves.
#include "adalora/train/pretrain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "adalora/core/error.h"
#include "adalora/data/sampler.h"
#include "adalora/io/atomic_file.h"
#include "adalora/models/model.h"
#include "adalora/tokenizers/tokenizer.h"
#include "tests/support/golden.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kSubjects = {"the cat", "a dog", "the bird", "my friend",
                                            "her horse"};
const std::vector<std::string> kVerbs = {"sees", "likes", "follows", "finds"};
const std::vector<std::string> kObjects = {"the river", "a tree", "the house", "an apple",
                                           "the garden"};

// Sentences "<subject> <verb> <object> ." — learnable: after "the"/"a" comes a noun, and so on.
std::string write_corpus(const std::string& dir, int64_t lines) {
  data::Xoshiro256 rng(11);
  const std::string path = dir + "/corpus.txt";
  std::ofstream out(path);
  for (int64_t i = 0; i < lines; ++i) {
    const int64_t sentences = 1 + static_cast<int64_t>(rng.uniform(3));
    for (int64_t s = 0; s < sentences; ++s) {
      out << kSubjects[rng.uniform(kSubjects.size())] << " " << kVerbs[rng.uniform(kVerbs.size())]
          << " " << kObjects[rng.uniform(kObjects.size())] << ". ";
    }
    out << "\n" << (i % 10 == 0 ? "\n" : "");  // some empty lines, skipped
  }
  return path;
}

// A BERT vocab.txt with the corpus's words (the legacy loader reads it as an uncased
// BertTokenizer).
std::string write_vocab(const std::string& dir) {
  const std::string tok = dir + "/tokenizer";
  fs::create_directories(tok);
  std::ofstream out(tok + "/vocab.txt");
  for (const char* t :
       {"[PAD]",   "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".",      "the",   "a",    "an",
        "my",      "her",   "cat",   "dog",   "bird",   "friend", "horse", "sees", "likes",
        "follows", "finds", "river", "tree",  "house",  "apple",  "garden"}) {
    out << t << "\n";
  }
  return tok;
}

PretrainConfig tiny_config(const std::string& dir, const std::string& out) {
  PretrainConfig c;
  c.corpus = write_corpus(dir, 400);
  c.output_dir = out;
  c.tokenizer = write_vocab(dir);
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 64;
  c.max_seq_length = 32;
  c.per_device_train_batch_size = 8;
  c.learning_rate = 1e-2;
  c.dropout = 0;
  c.warmup_ratio = 0.1;
  c.max_steps = 30;
  c.logging_steps = 5;
  c.save_steps = 0;
  c.seed = 5;
  return c;
}

TEST(PretrainTest, PackBlocksJoinsLinesWithSepAndDropsTheRemainder) {
  // Lines {10 11 12} {13} {14 15 16 17}: stream 10 11 12 S 13 S 14 15 16 17; body 3 per block.
  const auto blocks =
      pack_blocks({{10, 11, 12}, {13}, {}, {14, 15, 16, 17}}, 5, /*cls=*/1, /*sep=*/2);
  const std::vector<std::vector<int64_t>> expected = {
      {1, 10, 11, 12, 2}, {1, 13, 2, 14, 2}, {1, 15, 16, 17, 2}};
  EXPECT_EQ(blocks, expected);
  // No [SEP] right after [CLS] when a line ends exactly at a block boundary.
  const auto aligned = pack_blocks({{10, 11, 12}, {13, 14, 15}}, 5, 1, 2);
  ASSERT_EQ(aligned.size(), 2u);
  EXPECT_EQ(aligned[1], (std::vector<int64_t>{1, 13, 14, 15, 2}));
  EXPECT_THROW(pack_blocks({{1}}, 2, 1, 2), Error);
}

TEST(PretrainTest, TinyRunLearnsLoadsAndRepeatsBitForBit) {
  testing::TempDir dir;
  const PretrainConfig config = tiny_config(dir.path(), dir.file("model"));
  const PretrainResult r = pretrain(config);
  EXPECT_EQ(r.steps, 30);
  EXPECT_FALSE(r.stopped_early);
  EXPECT_EQ(r.vocab_size, 25);
  // 30 steps take the loss from uniform (ln 25 ≈ 3.2) towards the unigram entropy (≈ 2.8).
  EXPECT_LT(r.final_loss, r.first_loss - 0.2)
      << "first window " << r.first_loss << ", last " << r.final_loss;

  for (const char* f : {"config.json", "model.safetensors", "vocab.txt", "log.jsonl",
                        "mlm_loss_curve.csv", "mlm_loss_curve.svg", "pretrain_command.txt"}) {
    EXPECT_TRUE(fs::exists(dir.file("model/") + f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir.file("model.work")));
  EXPECT_FALSE(fs::exists(dir.file("model.tmp")));
  const std::string command = io::read_file(dir.file("model/pretrain_command.txt"));
  EXPECT_EQ(command.rfind("adalora pretrain --corpus ", 0), 0u) << command;
  EXPECT_NE(command.find("--max-steps 30"), std::string::npos) << command;

  models::LoadReport report;
  const auto classifier = models::load_pretrained(
      dir.file("model"), models::TaskHead::SequenceClassification, torch::kFloat32, &report);
  EXPECT_FALSE(report.newly_initialized.empty());  // the classifier head
  EXPECT_FALSE(report.ignored.empty());            // the MLM head
  const auto tokenizer = tokenizers::Tokenizer::from_dir(dir.file("model"));
  EXPECT_EQ(tokenizer.encode("The cat sees a tree.").ids,
            (std::vector<int64_t>{2, 6, 11, 16, 7, 21, 5, 3}));

  const PretrainResult again = pretrain(tiny_config(dir.path(), dir.file("again")));
  EXPECT_EQ(again.final_loss, r.final_loss);
  EXPECT_EQ(io::read_file(dir.file("again/model.safetensors")),
            io::read_file(dir.file("model/model.safetensors")));
}

TEST(PretrainTest, DebertaV2MlmRuns) {
  testing::TempDir dir;
  PretrainConfig config = tiny_config(dir.path(), dir.file("model"));
  config.arch = "deberta-v2";
  config.max_steps = 3;
  const PretrainResult r = pretrain(config);
  EXPECT_EQ(r.steps, 3);
  EXPECT_TRUE(std::isfinite(r.final_loss));
  const auto model = models::load_pretrained(dir.file("model"), models::TaskHead::MaskedLM);
  EXPECT_EQ(model->hf_class(), "DebertaV2ForMaskedLM");
}

TEST(PretrainTest, TrainsAWordPieceTokenizerOnTheCorpus) {
  testing::TempDir dir;
  PretrainConfig config = tiny_config(dir.path(), dir.file("model"));
  config.tokenizer = "";
  config.vocab_size = 60;
  config.max_steps = 2;
  const PretrainResult r = pretrain(config);
  EXPECT_EQ(r.vocab_size, 60);
  for (const char* f :
       {"tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"}) {
    EXPECT_TRUE(fs::exists(dir.file("model/") + f)) << f;
  }
  const auto tokenizer = tokenizers::Tokenizer::from_dir(dir.file("model"));
  const auto ids = tokenizer.encode("the cat sees a tree.").ids;
  EXPECT_EQ(ids.front(), *tokenizer.cls_id());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), *tokenizer.unk_id()), 0);
  const auto model = models::load_pretrained(dir.file("model"), models::TaskHead::MaskedLM);
  EXPECT_EQ(model->config().get<int64_t>("vocab_size", 0), 60);
}

TEST(PretrainTest, TimeBudgetStopsAndSaves) {
  testing::TempDir dir;
  PretrainConfig config = tiny_config(dir.path(), dir.file("model"));
  config.time_budget_minutes = 1e-9;
  int64_t calls = 0;
  const PretrainResult r = pretrain(config, [&](const PretrainProgress& p) {
    ++calls;
    EXPECT_EQ(p.total_steps, 30);
    return true;
  });
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(calls, 1);
  EXPECT_NE(io::read_file(dir.file("model/pretrain_command.txt")).find("# saved after 1 of 30"),
            std::string::npos);
  EXPECT_NO_THROW(models::load_pretrained(dir.file("model"), models::TaskHead::MaskedLM));
}

TEST(PretrainTest, StopAfterStepsCutsTheLongScheduleReproducibly) {
  // The cut keeps the schedule of the whole run: the same weights as that run stopped by request
  // at the same step, and different weights from a run planned for only that many steps.
  testing::TempDir dir;
  auto weights = [&](const std::string& name, int64_t max_steps, int64_t stop_after, int64_t request_stop) {
    PretrainConfig c = tiny_config(dir.path(), dir.file(name));
    c.max_steps = max_steps;
    c.stop_after_steps = stop_after;
    const PretrainResult r = pretrain(c, [&](const PretrainProgress& p) { return request_stop <= 0 || p.step < request_stop; });
    EXPECT_EQ(r.steps, 3) << name;
    return io::read_file(dir.file(name + "/model.safetensors"));
  };
  const std::string cut = weights("cut", 8, 3, 0);
  EXPECT_EQ(cut, weights("requested", 8, 0, 3));
  EXPECT_NE(cut, weights("short", 3, 0, 0));
  const std::string note = io::read_file(dir.file("cut/pretrain_command.txt"));
  EXPECT_NE(note.find("--max-steps 8 "), std::string::npos) << note;
  EXPECT_NE(note.find("--stop-after-steps 3 "), std::string::npos) << note;
  EXPECT_NE(note.find("# saved after 3 of 8"), std::string::npos) << note;
}

TEST(PretrainTest, BadSettingsNameTheField) {
  PretrainConfig c;
  c.corpus = "x.txt";
  c.output_dir = "out";
  c.arch = "gpt2";
  try {
    pretrain(c);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("arch"), std::string::npos) << e.what();
  }
  c.arch = "bert";
  c.num_attention_heads = 3;
  EXPECT_THROW(pretrain(c), Error);
  testing::TempDir dir;
  c = PretrainConfig{};
  c.corpus = dir.file("missing.txt");
  c.output_dir = dir.file("out");
  c.tokenizer = write_vocab(dir.path());
  try {
    pretrain(c);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace adalora::train
