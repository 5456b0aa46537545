// Bootstrap confidence intervals for ROUGE as rouge_score + numpy compute them (see the header).
#include "adalora/metrics/rouge_bootstrap.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

// numpy's legacy bounded draw in [0, max] by masked rejection.
uint32_t draw_index(std::mt19937& rng, uint32_t max) {
  uint32_t mask = max;
  for (int shift = 1; shift <= 16; shift *= 2) mask |= mask >> shift;
  uint32_t v;
  do {
    v = static_cast<uint32_t>(rng()) & mask;
  } while (v > max);
  return v;
}

// np.percentile(sorted, q, method="linear").
double percentile(const std::vector<double>& sorted, double q) {
  const double h = double(sorted.size() - 1) * (q / 100.0);
  const double floor_h = std::floor(h);
  const size_t i = static_cast<size_t>(floor_h);
  const double g = h - floor_h;
  const double a = sorted[i];
  const double b = sorted[std::min(i + 1, sorted.size() - 1)];
  const double diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

}  // namespace

std::map<std::string, RougeInterval> rouge_bootstrap(const std::vector<RougeScores>& per_pair,
                                                     const std::vector<std::string>& type_order,
                                                     uint32_t seed, int n_samples,
                                                     double confidence_interval) {
  ADALORA_CHECK(!per_pair.empty(), "rouge bootstrap: expected at least one pair, got 0");
  ADALORA_CHECK(n_samples > 0, "rouge bootstrap: n_samples: expected > 0, got ", n_samples);
  const size_t n = per_pair.size();
  std::mt19937 rng(seed);
  const std::array<double, 3> quantiles = {100 * (1 - confidence_interval) / 2, 50.0,
                                           100 * (1 - (1 - confidence_interval) / 2)};
  std::map<std::string, RougeInterval> result;
  for (const auto& type : type_order) {
    std::vector<RougeScore> rows;
    for (const auto& pair : per_pair) {
      const auto it = pair.find(type);
      ADALORA_CHECK(it != pair.end(), "rouge bootstrap: a pair lacks the type \"", type, "\"");
      rows.push_back(it->second);
    }
    std::array<std::vector<double>, 3> means;  // precision, recall, fmeasure per sample
    for (int s = 0; s < n_samples; ++s) {
      double p = 0.0, r = 0.0, f = 0.0;
      for (size_t k = 0; k < n; ++k) {
        const RougeScore& row = rows[draw_index(rng, static_cast<uint32_t>(n - 1))];
        p += row.precision, r += row.recall, f += row.fmeasure;
      }
      means[0].push_back(p / double(n)), means[1].push_back(r / double(n));
      means[2].push_back(f / double(n));
    }
    for (auto& m : means) std::sort(m.begin(), m.end());
    auto at = [&](double q) {
      return RougeScore{percentile(means[0], q), percentile(means[1], q), percentile(means[2], q)};
    };
    result[type] = RougeInterval{at(quantiles[0]), at(quantiles[1]), at(quantiles[2])};
  }
  return result;
}

std::map<std::string, RougeScore> rouge_mean(const std::vector<RougeScores>& per_pair) {
  ADALORA_CHECK(!per_pair.empty(), "rouge mean: expected at least one pair, got 0");
  std::map<std::string, RougeScore> sums;
  for (const auto& pair : per_pair) {
    for (const auto& [type, s] : pair) {
      RougeScore& sum = sums[type];
      sum.precision += s.precision, sum.recall += s.recall, sum.fmeasure += s.fmeasure;
    }
  }
  for (auto& [type, s] : sums) {
    s.precision /= double(per_pair.size()), s.recall /= double(per_pair.size());
    s.fmeasure /= double(per_pair.size());
  }
  return sums;
}

}  // namespace adalora::metrics
