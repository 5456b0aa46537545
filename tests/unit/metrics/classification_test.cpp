// Classification metrics against hand-computed values (sklearn definitions; arithmetic inline).
#include "adalora/metrics/classification.h"

#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

// labels      1 1 1 0 0 0 1 0
// predictions 1 0 1 0 1 0 1 1
//             tp fn tp tn fp tn tp fp  → tp=3, fn=1, fp=2, tn=2
const std::vector<int64_t> kBinaryLabels = {1, 1, 1, 0, 0, 0, 1, 0};
const std::vector<int64_t> kBinaryPredictions = {1, 0, 1, 0, 1, 0, 1, 1};

TEST(ClassificationMetricsTest, AccuracyCountsMatches) {
  // 5 of 8 correct.
  EXPECT_DOUBLE_EQ(accuracy(kBinaryPredictions, kBinaryLabels), 5.0 / 8.0);
}

TEST(ClassificationMetricsTest, BinaryF1OfPositiveClass) {
  // 2·tp / (2·tp + fp + fn) = 6 / (6 + 2 + 1) = 2/3.
  EXPECT_DOUBLE_EQ(binary_f1(kBinaryPredictions, kBinaryLabels), 2.0 / 3.0);
}

TEST(ClassificationMetricsTest, BinaryF1IsZeroWhenUndefinedOrNoTruePositive) {
  // No positive anywhere: tp + fp + fn = 0 → sklearn zero_division → 0.
  EXPECT_EQ(binary_f1({0, 0, 0}, {0, 0, 0}), 0.0);
  // Positives exist but none predicted: tp = 0 → 0.
  EXPECT_EQ(binary_f1({0, 0, 0}, {1, 0, 1}), 0.0);
  // All correct positives → 1.
  EXPECT_EQ(binary_f1({1, 0, 1}, {1, 0, 1}), 1.0);
}

TEST(ClassificationMetricsTest, BinaryF1RejectsNonBinaryIds) {
  try {
    binary_f1({0, 2}, {0, 1});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "metrics: f1: predictions[1]: expected 0 or 1 (binary F1), got 2 "
                 "(use macro_f1 for multiclass)");
  }
}

TEST(ClassificationMetricsTest, MacroF1MatchesSklearnDocExample) {
  // sklearn's f1_score docstring: y_true [0 1 2 0 1 2], y_pred [0 2 1 0 0 1].
  // class 0: tp 2, fp 1, fn 0 → 4/5;  class 1: tp 0 → 0;  class 2: tp 0 → 0.  mean = 0.8/3.
  EXPECT_DOUBLE_EQ(macro_f1({0, 2, 1, 0, 0, 1}, {0, 1, 2, 0, 1, 2}), 0.8 / 3.0);
}

TEST(ClassificationMetricsTest, MacroF1IncludesClassesSeenOnlyInPredictions) {
  // labels [0 0 1], predictions [0 2 1]: class 0: tp 1, fn 1 → 2/3; class 1: 1; class 2: fp 1 → 0.
  EXPECT_DOUBLE_EQ(macro_f1({0, 2, 1}, {0, 0, 1}), (2.0 / 3.0 + 1.0 + 0.0) / 3.0);
}

TEST(ClassificationMetricsTest, MatthewsBinaryEqualsTextbookFormula) {
  // (tp·tn − fp·fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (6 − 2) / sqrt(5·4·4·3) = 4/sqrt(240).
  // Multiclass form: s=8, c=5, t=(4,4), p=(3,5): (40 − 32) / sqrt((64 − 34)(64 − 32)) =
  // 8/sqrt(960).
  EXPECT_NEAR(matthews_correlation(kBinaryPredictions, kBinaryLabels), 4.0 / std::sqrt(240.0),
              1e-15);
}

TEST(ClassificationMetricsTest, MatthewsMulticlass) {
  // labels [0 0 1 1 2 2], predictions [0 0 1 2 2 2]: s=6, c=5, t=(2,2,2), p=(2,1,3).
  // Σ p·t = 4+2+6 = 12; cov_ytyp = 5·6 − 12 = 18; s² − Σp² = 36 − 14 = 22; s² − Σt² = 36 − 12 = 24.
  // MCC = 18 / sqrt(22·24) = 0.78334945…
  EXPECT_NEAR(matthews_correlation({0, 0, 1, 2, 2, 2}, {0, 0, 1, 1, 2, 2}), 18.0 / std::sqrt(528.0),
              1e-15);
  // The sklearn f1 example: c=2, t=(2,2,2), p=(3,2,1): 2·6 − (6+4+2) = 0 → exactly 0.
  EXPECT_EQ(matthews_correlation({0, 2, 1, 0, 0, 1}, {0, 1, 2, 0, 1, 2}), 0.0);
}

TEST(ClassificationMetricsTest, MatthewsDegenerateAndExtremes) {
  // Constant predictions: s² − Σp² = 16 − 16 = 0 → 0 (sklearn's convention).
  EXPECT_EQ(matthews_correlation({1, 1, 1, 1}, {0, 1, 0, 1}), 0.0);
  // Constant labels: s² − Σt² = 0 → 0.
  EXPECT_EQ(matthews_correlation({0, 1, 0, 1}, {1, 1, 1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 1, 0, 1}, {0, 1, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 0, 1, 0}, {0, 1, 0, 1}), -1.0);
}

TEST(ClassificationMetricsTest, RejectsMismatchedAndEmptyInputs) {
  try {
    accuracy({0, 1}, {0, 1, 1});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "metrics: accuracy: expected as many predictions as labels (3), got 2");
  }
  try {
    matthews_correlation({}, {});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "metrics: matthews_correlation: expected at least one example, got 0");
  }
}

}  // namespace
}  // namespace adalora::metrics
