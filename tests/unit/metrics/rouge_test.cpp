// ROUGE and its tokenizer on hand-worked cases (the golden test checks rouge_score's numbers).
#include "adalora/metrics/rouge.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

using Tokens = std::vector<std::string>;

TEST(RougeTest, TokenizerLowercasesThenSplitsOnEverythingButAsciiAlnum) {
  EXPECT_EQ(rouge_tokenize("Z\xC3\xBCrich's 5.25%", false), (Tokens{"z", "rich", "s", "5", "25"}));
  EXPECT_EQ(rouge_tokenize("\xC4\xB0stanbul", false), (Tokens{"i", "stanbul"}));  // U+0130
  EXPECT_EQ(rouge_tokenize("CEOs MPs says", true), (Tokens{"ceo", "mps", "say"}));
}

TEST(RougeTest, RougeNClipsAndDividesByAtLeastOne) {
  const auto s = rouge_n({"a", "a", "b"}, {"a", "a", "a"}, 1);
  EXPECT_DOUBLE_EQ(s.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.recall, 2.0 / 3.0);
  const auto bigram = rouge_n({"a"}, {"a"}, 2);
  EXPECT_EQ(bigram.fmeasure, 0.0);
}

TEST(RougeTest, RougeLIsTheLcsRatio) {
  // LCS of "a b c d" and "a c x d" is "a c d".
  const auto s = rouge_l({"a", "b", "c", "d"}, {"a", "c", "x", "d"});
  EXPECT_DOUBLE_EQ(s.precision, 0.75);
  EXPECT_DOUBLE_EQ(s.recall, 0.75);
  EXPECT_EQ(rouge_l({}, {"a"}).fmeasure, 0.0);
}

TEST(RougeTest, LsumSplitsOnNewlineOnly) {
  const RougeScorer scorer({"rougeL", "rougeLsum"}, false);
  const auto same = scorer.score("a b c", "c b a");
  EXPECT_DOUBLE_EQ(same.at("rougeLsum").fmeasure, same.at("rougeL").fmeasure);
  // Two prediction lines each match one reference token out of order: union LCS finds both.
  const auto split = scorer.score("a b", "b\na");
  EXPECT_DOUBLE_EQ(split.at("rougeLsum").fmeasure, 1.0);
  EXPECT_DOUBLE_EQ(split.at("rougeL").fmeasure, 0.5);
}

TEST(RougeTest, UnknownTypeIsAnError) {
  EXPECT_THROW(RougeScorer({"rougeX"}), Error);
}

}  // namespace
}  // namespace adalora::metrics
