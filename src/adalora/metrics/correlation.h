// Correlation metrics for regression tasks (STS-B): Pearson and Spearman.
//
// Mirrors scipy.stats `pearsonr` (centred cross-product over the product of norms, clipped to
// [−1, 1]) and `spearmanr` (Pearson of the ranks, ties get the average of the ranks they span,
// scipy.stats.rankdata(method="average")). Where scipy returns nan — a constant input — we return
// 0, so that "keep the best checkpoint" always has a total order; the trainer may warn. No
// LibTorch.
#pragma once

#include <vector>

namespace adalora::metrics {

/// Pearson's r between `predictions` and `labels`; 0 if either is constant.
double pearson(const std::vector<double>& predictions, const std::vector<double>& labels);

/// Spearman's ρ: Pearson's r of the average ranks; 0 if either input is constant.
double spearman(const std::vector<double>& predictions, const std::vector<double>& labels);

/// 1-based ranks with ties given their average rank (scipy `rankdata(method="average")`).
std::vector<double> average_ranks(const std::vector<double>& values);

}  // namespace adalora::metrics
