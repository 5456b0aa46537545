// The post-processing wiring: features grouped by example, each example's answer the span with the
// largest start + end logit over all its windows among the allowed ones (inside the context,
// end ≥ start, at most max_answer_length tokens), v2's null odds, answers in dataset order.
#include "adalora/tasks/qa_predictions.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::tasks {
namespace {

using Offset = std::optional<std::pair<int64_t, int64_t>>;

// "a b c d e f": word k at code points 2k..2k+1. A window [CLS] q [SEP] <words lo..hi) [SEP].
QaFeature window(size_t example, int64_t lo, int64_t hi) {
  QaFeature f;
  f.example_index = example;
  f.context_offsets = {std::nullopt, std::nullopt, std::nullopt};
  for (int64_t k = lo; k < hi; ++k) f.context_offsets.push_back(Offset({2 * k, 2 * k + 1}));
  f.context_offsets.push_back(std::nullopt);
  f.input_ids.assign(f.context_offsets.size(), 7);
  return f;
}

data::SquadExample example(const std::string& id) {
  data::SquadExample e;
  e.id = id;
  e.context = "a b c d e f";
  return e;
}

TEST(QaPredictionsTest, PicksTheBestAllowedSpanOverAllWindows) {
  // Example x has windows a–d and c–f; example y one window a–f.
  const std::vector<QaFeature> f = {window(0, 0, 4), window(0, 2, 6), window(1, 0, 6)};
  // Window 0 (tokens: CLS q SEP a b c d SEP): the question token and the final [SEP] have the
  // largest logits but lie outside the context; b..c scores 4 + 3 = 7.
  // Window 1 (CLS q SEP c d e f SEP): e..f scores 5 + 4 = 9 — the best; start e with end c would
  // score 9.5 but ends before it starts.
  // Window of y (CLS q SEP a b c d e f SEP): f..f 3 + 2 = 5 beats a..f 2 + 2 and a..e 2 + 1.
  // Batches pad rows: extra logits past a feature's length are ignored.
  const std::vector<std::vector<float>> starts = {{0, 20, 0, 0, 4, 1, 0, 0, -1, -1},
                                                  {0, 0, 0, 0, 0, 5, 0, 0},
                                                  {0, 0, 0, 2, 0, 0, 0, 0, 3, 0}};
  const std::vector<std::vector<float>> ends = {{0, 0, 0, 0, 0, 3, 0, 20, -1, -1},
                                                {0, 0, 0, 4.5f, 0, 0, 4, 0},
                                                {0, 0, 0, 0, 0, 0, 0, 1, 2, 0}};
  QaPostprocessOptions o;
  auto p = postprocess_qa_predictions({example("x"), example("y")}, f, starts, ends, o);
  ASSERT_EQ(p.answers.size(), 2u);
  EXPECT_EQ(p.answers[0], std::make_pair(std::string("x"), std::string("e f")));
  EXPECT_EQ(p.answers[1], std::make_pair(std::string("y"), std::string("f")));
  EXPECT_TRUE(p.null_odds.empty()) << "v1 has no null odds";

  o.max_answer_length = 1;  // e..f (2 tokens) is refused; the best single token is e (5 + 0)
  p = postprocess_qa_predictions({example("x"), example("y")}, f, starts, ends, o);
  EXPECT_EQ(p.answers[0].second, "e");
}

TEST(QaPredictionsTest, V2NullOddsUseTheSmallestNullScoreOfTheWindows) {
  const std::vector<QaFeature> f = {window(0, 0, 4), window(0, 2, 6)};
  const std::vector<std::vector<float>> starts = {{9, 0, 0, 1, 0, 0, 0, 0},
                                                  {4, 0, 0, 0, 0, 2, 0, 0}};
  const std::vector<std::vector<float>> ends = {{9, 0, 0, 1, 0, 0, 0, 0},
                                                {3, 0, 0, 0, 0, 2, 0, 0}};
  QaPostprocessOptions o;
  o.version_2_with_negative = true;
  // null = min(9 + 9, 4 + 3) = 7; best span e..e = 2 + 2 = 4; odds 3 > 0 → no answer.
  auto p = postprocess_qa_predictions({example("x")}, f, starts, ends, o);
  EXPECT_EQ(p.answers[0].second, "");
  ASSERT_EQ(p.null_odds.size(), 1u);
  EXPECT_EQ(p.null_odds[0].first, "x");
  EXPECT_DOUBLE_EQ(p.null_odds[0].second, 3.0);
  o.null_score_diff_threshold = 3.0f;  // not strictly above: the span is kept
  p = postprocess_qa_predictions({example("x")}, f, starts, ends, o);
  EXPECT_EQ(p.answers[0].second, "e");
}

TEST(QaPredictionsTest, MismatchedInputsAreErrors) {
  const std::vector<QaFeature> f = {window(0, 0, 4)};
  EXPECT_THROW(postprocess_qa_predictions({example("x")}, f, {}, {}, {}), Error);
  EXPECT_THROW(postprocess_qa_predictions({example("x")}, f, {{0, 0}}, {{0, 0}}, {}), Error);
  EXPECT_THROW(postprocess_qa_predictions({}, f, {std::vector<float>(8)}, {std::vector<float>(8)}, {}),
               Error);
}

}  // namespace
}  // namespace adalora::tasks
