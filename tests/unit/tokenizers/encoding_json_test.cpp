// The output format of `adalora tokenize` (tokenizers/encoding_json.h) and its input errors.
#include "adalora/tokenizers/encoding_json.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "tests/support/golden.h"

namespace adalora::tokenizers {
namespace {

Tokenizer bert() {
  return Tokenizer::from_dir(adalora::testing::golden_path("tokenizers/bert_uncased"));
}

TEST(EncodingJsonGoldenTest, SingleTextLine) {
  ADALORA_REQUIRE_GOLDEN("tokenizers/bert_uncased/tokenizer.json");
  EXPECT_EQ(tokenize_line(bert(), "Héllo world", {}, "stdin:1"),
            R"({"ids":[7592,2088],"offsets":[[0,5],[6,11]],"tokens":["hello","world"]})");
  TokenizeLineOptions special;
  special.add_special_tokens = true;
  EXPECT_EQ(tokenize_line(bert(), "Héllo world\r", special, "stdin:1"),
            R"({"ids":[101,7592,2088,102],"offsets":[[0,0],[0,5],[6,11],[0,0]],)"
            R"("tokens":["[CLS]","hello","world","[SEP]"]})");
}

TEST(EncodingJsonGoldenTest, PairLineHasTypeIdsAndOffsetsIntoEachText) {
  ADALORA_REQUIRE_GOLDEN("tokenizers/bert_uncased/tokenizer.json");
  TokenizeLineOptions o;
  o.pair = true;
  o.add_special_tokens = true;
  EXPECT_EQ(
      tokenize_line(bert(), "a b\t日本", o, "stdin:1"),
      R"({"ids":[101,1037,1038,102,1864,1876,102],"offsets":[[0,0],[0,1],[2,3],[0,0],[0,1],[1,2],[0,0]],)"
      R"("tokens":["[CLS]","a","b","[SEP]","日","本","[SEP]"],"type_ids":[0,0,0,0,1,1,1]})");
}

TEST(EncodingJsonGoldenTest, BadLinesNameTheLine) {
  ADALORA_REQUIRE_GOLDEN("tokenizers/bert_uncased/tokenizer.json");
  const Tokenizer t = bert();
  TokenizeLineOptions pair;
  pair.pair = true;
  auto message = [&](std::string_view line, const TokenizeLineOptions& o) {
    try {
      tokenize_line(t, line, o, "stdin:7");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("no tab here", pair),
            "stdin:7: expected two tab-separated fields (--pair), got one (no tab)");
  EXPECT_EQ(message("a\tb\tc", pair),
            "stdin:7: expected two tab-separated fields (--pair), got more than two");
  EXPECT_EQ(message("ok \xFF then", {}),
            "stdin:7: expected UTF-8 text, got the invalid byte 0xFF at byte 4");
  EXPECT_EQ(message("\xED\xA0\x80", {}),
            "stdin:7: expected UTF-8 text, got the invalid byte 0xED at byte 1");
  EXPECT_EQ(message("", {}), "no error");
}

TEST(EncodingJsonGoldenTest, EmptyLineIsAnEmptyEncoding) {
  ADALORA_REQUIRE_GOLDEN("tokenizers/bert_uncased/tokenizer.json");
  EXPECT_EQ(tokenize_line(bert(), "", {}, "stdin:1"), R"({"ids":[],"offsets":[],"tokens":[]})");
}

}  // namespace
}  // namespace adalora::tokenizers
