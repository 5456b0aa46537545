// Metric dispatch by name.
#include "adalora/metrics/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

TEST(EvaluateTest, ComputesEachNamedClassificationMetric) {
  // tp=1, tn=1, fp=1, fn=1: accuracy 2/4, F1 = 2/(2+1+1) = 1/2, MCC = (1−1)/… = 0.
  const auto values = evaluate_classification({"accuracy", "f1", "matthews_correlation"},
                                              {1, 0, 1, 0}, {1, 0, 0, 1});
  ASSERT_EQ(values.size(), 3u);
  EXPECT_DOUBLE_EQ(values.at("accuracy"), 0.5);
  EXPECT_DOUBLE_EQ(values.at("f1"), 0.5);
  EXPECT_DOUBLE_EQ(values.at("matthews_correlation"), 0.0);
}

TEST(EvaluateTest, CorrIsMeanOfPearsonAndSpearman) {
  // Same x, y as correlation_test: r = 6/sqrt(60), ρ = 7/sqrt(90).
  const auto values =
      evaluate_regression({"pearson", "spearmanr", "corr"}, {1, 2, 3, 4, 5}, {2, 4, 5, 4, 5});
  EXPECT_NEAR(values.at("pearson"), 6.0 / std::sqrt(60.0), 1e-15);
  EXPECT_NEAR(values.at("spearmanr"), 7.0 / std::sqrt(90.0), 1e-15);
  EXPECT_NEAR(values.at("corr"), 0.5 * (6.0 / std::sqrt(60.0) + 7.0 / std::sqrt(90.0)), 1e-15);
}

TEST(EvaluateTest, UnknownNameListsKnownOnes) {
  try {
    evaluate_classification({"pearson"}, {1}, {1});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "metrics: metric name: expected a classification metric (accuracy, f1, macro_f1, "
                 "matthews_correlation), got \"pearson\"");
  }
  EXPECT_THROW(evaluate_regression({"accuracy"}, {1.0}, {1.0}), Error);
}

}  // namespace
}  // namespace adalora::metrics
