// SQuAD metrics on hand-worked cases: the normalisation traps and the errors (the golden test in
// tests/golden/metrics_test.cpp checks against the official scripts' numbers).
#include "adalora/metrics/squad.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

TEST(SquadMetricsTest, NormalisesPunctuationFirstThenArticles) {
  EXPECT_EQ(normalize_squad_answer("The  Wrought-iron lattice!"), "wroughtiron lattice");
  EXPECT_EQ(normalize_squad_answer("state-of-the-art"), "stateoftheart");
  EXPECT_EQ(normalize_squad_answer("Neil A. Armstrong"), "neil armstrong");
  EXPECT_EQ(normalize_squad_answer("an\xC2\xA0" "apple\tthe end"), "apple end");  // NBSP, tab
  EXPECT_EQ(normalize_squad_answer("\xE2\x80\x9CQuote\xE2\x80\x9D"), "\xE2\x80\x9Cquote\xE2\x80\x9D");
}

TEST(SquadMetricsTest, V1GoldThatNormalisesToNothingIsExactButHasNoF1) {
  EXPECT_TRUE(squad_v1_exact("the", "The"));
  EXPECT_EQ(squad_v1_f1("the", "The"), 0.0);
  // 2 shared of 3 predicted and 2 gold tokens: P = 2/3, R = 1 → F1 = 0.8.
  EXPECT_DOUBLE_EQ(squad_v1_f1("Paris in France", "Paris France"), 0.8);
}

TEST(SquadMetricsTest, V2EmptyTokenListsAgreeOnlyWhenBothEmpty) {
  EXPECT_EQ(squad_v2_f1("", ""), 1.0);
  EXPECT_EQ(squad_v2_f1("", "a"), 1.0);  // "a" normalises to nothing
  EXPECT_EQ(squad_v2_f1("", "Paris"), 0.0);
  EXPECT_EQ(squad_v2_golds_used({"The", "an"}), std::vector<std::string>{""});
}

TEST(SquadMetricsTest, V1CountsMissingPredictionsAsZero) {
  const std::vector<SquadGold> golds = {{"q1", {"Paris"}}, {"q2", {"Rome"}}};
  const auto result = evaluate_squad_v1(golds, {{"q1", "Paris"}});
  EXPECT_DOUBLE_EQ(result.exact_match, 50.0);
  EXPECT_EQ(result.missing_ids, std::vector<std::string>{"q2"});
}

TEST(SquadMetricsTest, V2BestThresholdCountsRawNonEmptyPredictionsAsAnswers) {
  // q1 answerable and right; q2 unanswerable but answered "." (normalises to "", EM 1).
  const std::vector<SquadGold> golds = {{"q1", {"Paris"}}, {"q2", {}}};
  const NaProbs na_probs = {{"q1", 0.1}, {"q2", 0.9}};
  const auto r = evaluate_squad_v2(golds, {{"q1", "Paris"}, {"q2", "."}}, na_probs);
  EXPECT_DOUBLE_EQ(r.exact, 100.0);
  // Scan: start 1; q1 +1 → 2 (best, thresh 0.1); q2 −1 → 1.
  EXPECT_DOUBLE_EQ(*r.best_exact, 100.0);
  EXPECT_DOUBLE_EQ(*r.best_exact_thresh, 0.1);
  EXPECT_EQ(r.to_map().count("NoAns_total"), 1u);
}

TEST(SquadMetricsTest, V2MissingPredictionOrNaProbIsAnError) {
  const std::vector<SquadGold> golds = {{"q1", {"Paris"}}};
  try {
    evaluate_squad_v2(golds, {}, std::nullopt);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("question \"q1\": expected a prediction"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(evaluate_squad_v2(golds, {{"q1", "x"}}, NaProbs{}), Error);
}

}  // namespace
}  // namespace adalora::metrics
