// Pearson and Spearman against hand-computed values (scipy definitions; arithmetic inline).
#include "adalora/metrics/correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

// x = [1 2 3 4 5], y = [2 4 5 4 5]; y has two ties (4, 4) and (5, 5).
const std::vector<double> kX = {1, 2, 3, 4, 5};
const std::vector<double> kY = {2, 4, 5, 4, 5};

TEST(CorrelationTest, PearsonByHand) {
  // mean x = 3, mean y = 4; dx = (−2 −1 0 1 2), dy = (−2 0 1 0 1).
  // Σdx·dy = 4 + 2 = 6; Σdx² = 10; Σdy² = 6 → r = 6 / sqrt(60).
  EXPECT_NEAR(pearson(kX, kY), 6.0 / std::sqrt(60.0), 1e-15);
  EXPECT_NEAR(pearson(kY, kX), 6.0 / std::sqrt(60.0), 1e-15);
}

TEST(CorrelationTest, AverageRanksForTies) {
  // 10 occupies ranks 1,2,3 → 2; 20 → 4; 30 → 5.
  EXPECT_EQ(average_ranks({10, 20, 10, 30, 10}), (std::vector<double>{2, 4, 2, 5, 2}));
  // y: 2 → 1; 4,4 → ranks 2,3 → 2.5; 5,5 → ranks 4,5 → 4.5.
  EXPECT_EQ(average_ranks(kY), (std::vector<double>{1, 2.5, 4.5, 2.5, 4.5}));
}

TEST(CorrelationTest, SpearmanWithTiesByHand) {
  // ranks x = (1..5), dx = (−2 −1 0 1 2); ranks y = (1 2.5 4.5 2.5 4.5), mean 3,
  // dy = (−2 −0.5 1.5 −0.5 1.5). Σdx·dy = 4 + 0.5 + 0 − 0.5 + 3 = 7; Σdx² = 10;
  // Σdy² = 4 + 0.25 + 2.25 + 0.25 + 2.25 = 9 → ρ = 7 / sqrt(90).
  EXPECT_NEAR(spearman(kX, kY), 7.0 / std::sqrt(90.0), 1e-15);
}

TEST(CorrelationTest, SpearmanIsRankBased) {
  // Monotone but non-linear: ρ = 1 while r < 1.
  const std::vector<double> x = {1, 2, 3, 4};
  const std::vector<double> y = {1, 4, 9, 16};
  EXPECT_DOUBLE_EQ(spearman(x, y), 1.0);
  EXPECT_LT(pearson(x, y), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {30, 20, 10}), -1.0);
}

TEST(CorrelationTest, ConstantInputGivesZeroInsteadOfNan) {
  // scipy returns nan (ConstantInputWarning); we return 0 (see correlation.h).
  EXPECT_EQ(pearson({1, 2, 3}, {7, 7, 7}), 0.0);
  EXPECT_EQ(spearman({7, 7, 7}, {1, 2, 3}), 0.0);
  EXPECT_EQ(pearson({5}, {3}), 0.0);
}

TEST(CorrelationTest, PerfectLinearIsClippedToOne) {
  EXPECT_EQ(pearson({0.1, 0.2, 0.3, 0.7}, {0.2, 0.4, 0.6, 1.4}), 1.0);
}

TEST(CorrelationTest, RejectsNonFiniteAndMismatchedInputs) {
  try {
    pearson({1.0, std::numeric_limits<double>::quiet_NaN()}, {1.0, 2.0});
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "metrics: pearson: predictions[1]: expected a finite number, got nan");
  }
  EXPECT_THROW(spearman({1.0}, {1.0, 2.0}), Error);
  EXPECT_THROW(spearman({}, {}), Error);
}

}  // namespace
}  // namespace adalora::metrics
