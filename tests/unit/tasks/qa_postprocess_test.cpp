// QA post-processing (utils_qa.py) on a hand-built window: best span, spans leaving the context
// refused, max_answer_length, the v2 null score and its threshold, windows combined.
#include "adalora/tasks/qa_postprocess.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::tasks {
namespace {

const std::string kContext = "The cat sat on the mat";

// [CLS] q [SEP] The cat sat on the mat [SEP]
QaFeatureLogits window(float cls_start, float cls_end) {
  QaFeatureLogits f;
  f.offsets = {std::nullopt, std::nullopt, std::nullopt, std::pair<int64_t, int64_t>{0, 3},
               std::pair<int64_t, int64_t>{4, 7}, std::pair<int64_t, int64_t>{8, 11},
               std::pair<int64_t, int64_t>{12, 14}, std::pair<int64_t, int64_t>{15, 18},
               std::pair<int64_t, int64_t>{19, 22}, std::nullopt};
  //             CLS        q    SEP  The  cat  sat  on   the  mat  SEP
  f.start_logits = {cls_start, 9.f, 0.f, 0.f, 5.f, 0.f, 0.f, 0.f, 3.f, 0.f};
  f.end_logits = {cls_end, 0.f, 9.f, 0.f, 4.f, 4.5f, 0.f, 0.f, 0.f, 0.f};
  return f;
}

TEST(QaPostprocessTest, BestSpanInsideTheContext) {
  // The question token (start 9) and [SEP] (end 9) are refused; cat..sat scores 5 + 4.5.
  const auto p = postprocess_qa_example("q", kContext, {window(1.f, 1.f)}, {});
  EXPECT_EQ(p.text, "cat sat");
  EXPECT_FALSE(p.null_odds.has_value());
}

TEST(QaPostprocessTest, MaxAnswerLengthLimitsTheSpan) {
  QaPostprocessOptions o;
  o.max_answer_length = 1;
  EXPECT_EQ(postprocess_qa_example("q", kContext, {window(1.f, 1.f)}, o).text, "cat");
}

TEST(QaPostprocessTest, V2NullScoreAgainstBestSpan) {
  QaPostprocessOptions o;
  o.version_2_with_negative = true;
  auto p = postprocess_qa_example("q", kContext, {window(1.f, 1.f)}, o);
  EXPECT_EQ(p.text, "cat sat");
  EXPECT_FLOAT_EQ(*p.null_odds, 2.f - 9.5f);
  p = postprocess_qa_example("q", kContext, {window(10.f, 10.f)}, o);
  EXPECT_EQ(p.text, "");
  EXPECT_FLOAT_EQ(*p.null_odds, 20.f - 9.5f);
  o.null_score_diff_threshold = 11.f;  // 10.5 is not above it
  EXPECT_EQ(postprocess_qa_example("q", kContext, {window(10.f, 10.f)}, o).text, "cat sat");
}

TEST(QaPostprocessTest, NullScoreIsTheSmallestOverWindows) {
  QaPostprocessOptions o;
  o.version_2_with_negative = true;
  const auto p = postprocess_qa_example("q", kContext, {window(10.f, 10.f), window(1.f, 1.f)}, o);
  EXPECT_EQ(p.text, "cat sat");
  EXPECT_FLOAT_EQ(*p.null_odds, 2.f - 9.5f);
}

TEST(QaPostprocessTest, MismatchedLengthsNameTheExample) {
  QaFeatureLogits f = window(1.f, 1.f);
  f.end_logits.pop_back();
  try {
    postprocess_qa_example("q7", kContext, {f}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("example \"q7\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace adalora::tasks
