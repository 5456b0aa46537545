// WordPieceTrainer: merges on a hand-counted corpus, vocab_size and min_frequency, determinism, and
// a written folder that loads through tokenizer.json and through the legacy vocab.txt path alike.
#include "adalora/tokenizers/wordpiece_trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "adalora/core/error.h"
#include "adalora/tokenizers/legacy.h"
#include "adalora/tokenizers/tokenizer.h"

namespace adalora::tokenizers {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system temp directory, removed at the end of the test.
struct TrainerTempDir {
  fs::path path;
  explicit TrainerTempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("adalora_wpt_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TrainerTempDir() { fs::remove_all(path); }
};

// A small English-like corpus built from syllables, plus accents, CJK and punctuation,
// deterministic.
std::vector<std::string> fixture_text() {
  const std::vector<std::string> syllables = {"pre",   "train", "ing",  "the",  "mod", "el",
                                              "re",    "view",  "good", "ness", "un",  "der",
                                              "stand", "a",     "ble",  "s"};
  std::vector<std::string> lines;
  uint32_t state = 12345;
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int line = 0; line < 400; ++line) {
    std::string text;
    for (int w = 0; w < 12; ++w) {
      const int parts = 1 + static_cast<int>(next() >> 30);
      for (int p = 0; p < parts; ++p) text += syllables[(next() >> 16) % syllables.size()];
      text += (next() >> 28) == 0 ? ", " : " ";
    }
    text += line % 7 == 0 ? "Café RÉSUMÉ naïve 中文字! " : "";
    text += "The end.";
    lines.push_back(text);
  }
  return lines;
}

WordPieceTrainerOptions small_options(size_t vocab_size) {
  WordPieceTrainerOptions o;
  o.vocab_size = vocab_size;
  o.min_frequency = 1;
  o.num_threads = 2;
  return o;
}

void expect_same_encoding(const Encoding& a, const Encoding& b, const std::string& text) {
  EXPECT_EQ(a.ids, b.ids) << "text: " << text;
  EXPECT_EQ(a.type_ids, b.type_ids) << "text: " << text;
  EXPECT_EQ(a.tokens, b.tokens) << "text: " << text;
  EXPECT_EQ(a.offsets, b.offsets) << "text: " << text;
}

TEST(WordPieceTrainerTest, MergesTheMostFrequentPairFirst) {
  // hug×10 pug×5 pun×12 bun×4 hugs×5 (HF's BPE course example). Pairs: (##u,##g) 20, (##u,##n) 16,
  // (h,##u) 15 → after the first merge (h,##ug) 15, then (p,##un) 12 ...
  std::vector<std::string> texts;
  for (auto [word, n] : std::vector<std::pair<std::string, int>>{
           {"hug", 10}, {"pug", 5}, {"pun", 12}, {"bun", 4}, {"hugs", 5}}) {
    for (int i = 0; i < n; ++i) texts.push_back(word);
  }
  WordPieceTrainer trainer(small_options(5 + 7 + 4 + 4));
  trainer.feed(texts);
  EXPECT_EQ(trainer.word_counts().at("pun"), 12u);
  const std::vector<std::string> vocab = trainer.train();
  const std::vector<std::string> expected = {
      "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "b",   "g",    "h",    "n",   "p",
      "s",     "u",     "##g",   "##n",   "##s",    "##u", "##ug", "##un", "hug", "pun"};
  EXPECT_EQ(vocab, expected);
}

TEST(WordPieceTrainerTest, RespectsVocabSizeAndIsDeterministic) {
  const std::vector<std::string> text = fixture_text();
  WordPieceTrainer a(small_options(120));
  a.feed(text);
  const std::vector<std::string> vocab = a.train();
  EXPECT_EQ(vocab.size(), 120u);
  const std::vector<std::string> specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  EXPECT_EQ(std::vector<std::string>(vocab.begin(), vocab.begin() + 5), specials);

  WordPieceTrainerOptions one_thread = small_options(120);
  one_thread.num_threads = 1;
  WordPieceTrainer b(one_thread);
  for (size_t i = 0; i < text.size(); i += 50) {  // fed in pieces: same counts, same vocabulary
    b.feed(
        std::vector<std::string>(text.begin() + i, text.begin() + std::min(text.size(), i + 50)));
  }
  EXPECT_EQ(b.train(), vocab);
  // Uncased: accents stripped and lowercased before counting; CJK characters are words of their
  // own.
  EXPECT_TRUE(a.word_counts().count("cafe"));
  EXPECT_TRUE(a.word_counts().count("resume"));
  EXPECT_TRUE(a.word_counts().count("中"));
  EXPECT_FALSE(a.word_counts().count("Café"));
}

TEST(WordPieceTrainerTest, MinFrequencyStopsTheMerges) {
  WordPieceTrainerOptions o = small_options(1000);
  o.min_frequency = 3;
  WordPieceTrainer trainer(o);
  trainer.feed({"ab ab ab cd cd"});
  // a b c d ##b ##d, then only (a, ##b) occurs 3 times.
  EXPECT_EQ(trainer.train(), (std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                                                       "a", "b", "c", "d", "##b", "##d", "ab"}));
}

TEST(WordPieceTrainerTest, WrittenFolderLoadsThroughTokenizerJsonAndVocabTxt) {
  TrainerTempDir dir("folder");
  WordPieceTrainer trainer(small_options(150));
  trainer.feed(fixture_text());
  const std::vector<std::string> vocab = trainer.train();
  save_wordpiece_tokenizer(dir.path.string(), vocab, trainer.options());
  for (const char* f :
       {"tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"}) {
    EXPECT_TRUE(fs::exists(dir.path / f)) << f;
  }
  // The legacy path: vocab.txt + tokenizer_config.json only.
  const fs::path legacy = dir.path / "legacy";
  fs::create_directories(legacy);
  fs::copy_file(dir.path / "vocab.txt", legacy / "vocab.txt");
  fs::copy_file(dir.path / "tokenizer_config.json", legacy / "tokenizer_config.json");

  const Tokenizer from_json = Tokenizer::from_file((dir.path / "tokenizer.json").string());
  const Tokenizer from_vocab = load_legacy(legacy.string());
  const Tokenizer from_dir = Tokenizer::from_dir(dir.path.string());
  EXPECT_EQ(from_json.vocab_size(), 150u);
  EXPECT_EQ(from_vocab.vocab_size(), 150u);
  const std::vector<std::pair<std::string, int64_t>> specials = {
      {"[PAD]", 0}, {"[UNK]", 1}, {"[CLS]", 2}, {"[SEP]", 3}, {"[MASK]", 4}};
  for (const auto& [token, id] : specials) {
    EXPECT_EQ(from_json.token_to_id(token), id) << token;
    EXPECT_EQ(from_vocab.token_to_id(token), id) << token;
  }

  const std::vector<std::string> texts = {"Pretraining the model, reviewed: GOODNESS!",
                                          "Café naïve 中文 understandable [MASK] zzz qqq",
                                          "  whitespace\tand\nnewlines  ", ""};
  for (const std::string& t : texts) {
    const Encoding e = from_json.encode(t);
    expect_same_encoding(e, from_vocab.encode(t), t);
    expect_same_encoding(e, from_dir.encode(t), t);
    ASSERT_GE(e.ids.size(), 2u);
    EXPECT_EQ(e.ids.front(), 2) << t;
    EXPECT_EQ(e.ids.back(), 3) << t;
  }
  const Encoding pair = from_json.encode_pair("the model", "a review");
  expect_same_encoding(pair, from_vocab.encode_pair("the model", "a review"), "pair");
  EXPECT_EQ(pair.type_ids.back(), 1);
  EXPECT_EQ(pair.type_ids.front(), 0);
  // Unknown characters become [UNK]; the decoder joins "##" pieces back.
  EXPECT_EQ(from_json.encode("qqq", false).tokens, std::vector<std::string>{"[UNK]"});
  EXPECT_EQ(from_json.decode(from_json.encode("the goodness").ids), "the goodness");
}

TEST(WordPieceTrainerTest, ErrorsNameTheField) {
  WordPieceTrainerOptions o = small_options(8);
  WordPieceTrainer trainer(o);
  trainer.feed({"abc"});
  try {
    trainer.train();
    FAIL() << "expected an error: 5 specials + 3 characters + 2 continuations > 8";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("vocab_size: expected at least 10"), std::string::npos)
        << e.what();
  }
  WordPieceTrainerOptions no_unk = small_options(100);
  no_unk.special_tokens = {"[PAD]", "[CLS]", "[SEP]"};
  try {
    WordPieceTrainer bad(no_unk);
    FAIL() << "expected an error for special_tokens without [UNK]";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("special_tokens: expected to contain \"[UNK]\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(trainer.feed_file("/nonexistent/corpus.txt"), Error);
}

}  // namespace
}  // namespace adalora::tokenizers
