// Hostile tokenizer files (tokenizer.json, vocab.json + merges.txt, vocab.txt +
// tokenizer_config.json) end in adalora::Error naming the file and the field, never a crash.
// The inputs are the reproducers kept in fuzz/regressions/{tokenizer_json,bpe_vocab,wordpiece_vocab}/.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "adalora/core/error.h"
#include "adalora/tokenizers/legacy.h"
#include "adalora/tokenizers/tokenizer.h"
#include "tests/support/golden.h"

namespace adalora::tokenizers {
namespace {

using adalora::testing::TempDir;

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// Expects `f` to throw adalora::Error whose message contains `part`.
template <typename F>
void expect_malformed_error(F&& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "expected adalora::Error mentioning " << part;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

// A negative id resized the dense token table to 0 and wrote past it (ASan: heap-buffer-overflow);
// a huge one allocated its size; a float id was cast to int64 (undefined beyond its range).
TEST(MalformedTokenizerFileTest, VocabIdsOutsideTheTableAreErrors) {
  TempDir dir;
  const std::string path = dir.file("tokenizer.json");
  auto wordpiece_with = [&](const std::string& id) {
    write(path, R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": )" + id + "}}}");
    return Tokenizer::from_file(path);
  };
  expect_malformed_error([&] { wordpiece_with("-1"); },
               path + ": model: vocab: token \"a\": expected an id in [0, 16777215], got -1");
  expect_malformed_error([&] { wordpiece_with("16777216"); }, "got 16777216");
  expect_malformed_error([&] { wordpiece_with("1e300"); }, "got 1e+300");
  expect_malformed_error([&] { wordpiece_with("1.5"); }, "got 1.5");
  EXPECT_EQ(wordpiece_with("7").encode("a", false).ids, (std::vector<int64_t>{7}));  // gaps are allowed
  write(path, R"({"model": {"type": "BPE", "vocab": {"a": -3}, "merges": []}})");
  expect_malformed_error([&] { Tokenizer::from_file(path); }, "token \"a\": expected an id in [0, 16777215], got -3");
  write(path, R"({"model": {"type": "BPE", "vocab": ["a"], "merges": []}})");
  expect_malformed_error([&] { Tokenizer::from_file(path); }, path + ": model: vocab: expected an object {token: id}, got array");

  write(dir.file("vocab.json"), R"({"a": -1})");
  write(dir.file("merges.txt"), "#version: 0.2\n");
  expect_malformed_error([&] { load_legacy(dir.file("vocab.json")); },
               dir.file("vocab.json") + ": vocab: token \"a\": expected an id in [0, 16777215], got -1");
}

// tokenizer_config.json beside vocab.txt / vocab.json: a field of the wrong JSON type escaped as
// nlohmann::type_error (a crash); now an Error naming the file and the field.
TEST(MalformedTokenizerFileTest, TokenizerConfigFieldsOfTheWrongTypeAreErrors) {
  TempDir dir;
  write(dir.file("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n");
  const std::string config = dir.file("tokenizer_config.json");
  auto load_with = [&](const std::string& json) {
    write(config, json);
    return load_legacy(dir.file("vocab.txt"));
  };
  expect_malformed_error([&] { load_with(R"({"do_lower_case": "yes"})"); },
               config + ": do_lower_case: expected true or false, got \"yes\"");
  expect_malformed_error([&] { load_with(R"({"do_lower_case": null})"); }, "do_lower_case: expected true or false, got null");
  expect_malformed_error([&] { load_with(R"({"strip_accents": 1})"); }, config + ": strip_accents: expected true or false, got 1");
  expect_malformed_error([&] { load_with(R"({"cls_token": 5})"); }, config + ": cls_token: expected a string, got 5");
  expect_malformed_error([&] { load_with("[1]"); }, config + ": expected a JSON object, got array");
  // HF saves tokens either as strings or as AddedToken objects; both are read.
  EXPECT_EQ(load_with(R"({"unk_token": {"content": "[UNK]", "lstrip": false}, "strip_accents": null})")
                .encode("hello xyz", true)
                .ids,
            (std::vector<int64_t>{2, 4, 1, 3}));

  write(dir.file("vocab.json"), R"({"a": 0, "b": 1})");
  write(dir.file("merges.txt"), "#version: 0.2\n");
  write(config, R"({"add_prefix_space": "no"})");
  expect_malformed_error([&] { load_legacy(dir.file("vocab.json")); }, config + ": add_prefix_space: expected true or false");
}

}  // namespace
}  // namespace adalora::tokenizers
