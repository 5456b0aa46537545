// rouge_score's `scoring.BootstrapAggregator` (the number HF `evaluate`'s rouge reports by
// default is its mid F), reproduced without numpy: numpy's legacy `np.random.seed(seed)` is a
// 32-bit Mersenne Twister seeded with init_genrand (std::mt19937), `np.random.choice(n, n)` draws
// each index by masked rejection (v = mt() & mask until v ≤ n−1, mask = smallest 2^k−1 ≥ n−1),
// each bootstrap sample's mean sums its rows left to right, and the percentiles use numpy's
// `linear` method. Types are aggregated in the given order without reseeding in between.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adalora/metrics/rouge.h"

namespace adalora::metrics {

struct RougeInterval {
  RougeScore low, mid, high;
};

/// BootstrapAggregator(confidence_interval, n_samples).aggregate() after adding `per_pair` in
/// order, with np.random.seed(seed) called just before. `type_order`: the order the scorer
/// listed its types in (the aggregator's dict order).
std::map<std::string, RougeInterval> rouge_bootstrap(const std::vector<RougeScores>& per_pair,
                                                     const std::vector<std::string>& type_order,
                                                     uint32_t seed, int n_samples = 1000,
                                                     double confidence_interval = 0.95);

/// The plain mean over pairs (summed left to right), per type: use_aggregator=False then mean.
std::map<std::string, RougeScore> rouge_mean(const std::vector<RougeScores>& per_pair);

}  // namespace adalora::metrics
