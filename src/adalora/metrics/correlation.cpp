// Pearson and Spearman correlation; definitions follow scipy.stats (see correlation.h).
#include "adalora/metrics/correlation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

void check_inputs(const char* metric, const std::vector<double>& predictions,
                  const std::vector<double>& labels) {
  ADALORA_CHECK(predictions.size() == labels.size(), "metrics: ", metric,
                ": expected as many predictions as labels (", labels.size(), "), got ",
                predictions.size());
  ADALORA_CHECK(!labels.empty(), "metrics: ", metric, ": expected at least one example, got 0");
  for (size_t i = 0; i < labels.size(); ++i) {
    ADALORA_CHECK(std::isfinite(predictions[i]), "metrics: ", metric, ": predictions[", i,
                  "]: expected a finite number, got ", predictions[i]);
    ADALORA_CHECK(std::isfinite(labels[i]), "metrics: ", metric, ": labels[", i,
                  "]: expected a finite number, got ", labels[i]);
  }
}

double pearson_unchecked(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0.0 || syy == 0.0) return 0.0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

}  // namespace

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  size_t start = 0;
  while (start < order.size()) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold equal values: each gets the mean of ranks start+1..end.
    const double rank = 0.5 * static_cast<double>(start + 1 + end);
    for (size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

double pearson(const std::vector<double>& predictions, const std::vector<double>& labels) {
  check_inputs("pearson", predictions, labels);
  return pearson_unchecked(predictions, labels);
}

double spearman(const std::vector<double>& predictions, const std::vector<double>& labels) {
  check_inputs("spearmanr", predictions, labels);
  return pearson_unchecked(average_ranks(predictions), average_ranks(labels));
}

}  // namespace adalora::metrics
