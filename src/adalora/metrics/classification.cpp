// Classification metrics; definitions follow scikit-learn (see classification.h).
#include "adalora/metrics/classification.h"

#include <cmath>
#include <map>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

void check_inputs(const char* metric, size_t predictions, size_t labels) {
  ADALORA_CHECK(predictions == labels, "metrics: ", metric,
                ": expected as many predictions as labels (", labels, "), got ", predictions);
  ADALORA_CHECK(labels > 0, "metrics: ", metric, ": expected at least one example, got 0");
}

struct Counts {
  int64_t tp = 0, fp = 0, fn = 0;
};

// Per-class confusion counts, keyed by class id in ascending order (sklearn sorts the labels).
std::map<int64_t, Counts> per_class_counts(const std::vector<int64_t>& predictions,
                                           const std::vector<int64_t>& labels) {
  std::map<int64_t, Counts> counts;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (predictions[i] == labels[i]) {
      ++counts[labels[i]].tp;
    } else {
      ++counts[predictions[i]].fp;
      ++counts[labels[i]].fn;
    }
  }
  return counts;
}

double f1_from_counts(const Counts& c) {
  const int64_t denominator = 2 * c.tp + c.fp + c.fn;
  return denominator == 0 ? 0.0
                          : 2.0 * static_cast<double>(c.tp) / static_cast<double>(denominator);
}

}  // namespace

double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels) {
  check_inputs("accuracy", predictions.size(), labels.size());
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predictions[i] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

double binary_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels) {
  check_inputs("f1", predictions.size(), labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    ADALORA_CHECK(labels[i] == 0 || labels[i] == 1, "metrics: f1: labels[", i,
                  "]: expected 0 or 1 (binary F1), got ", labels[i],
                  " (use macro_f1 for multiclass)");
    ADALORA_CHECK(predictions[i] == 0 || predictions[i] == 1, "metrics: f1: predictions[", i,
                  "]: expected 0 or 1 (binary F1), got ", predictions[i],
                  " (use macro_f1 for multiclass)");
  }
  const auto counts = per_class_counts(predictions, labels);
  const auto positive = counts.find(1);
  return positive == counts.end() ? 0.0 : f1_from_counts(positive->second);
}

double macro_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels) {
  check_inputs("macro_f1", predictions.size(), labels.size());
  const auto counts = per_class_counts(predictions, labels);
  double sum = 0.0;
  for (const auto& [id, c] : counts) sum += f1_from_counts(c);
  return sum / static_cast<double>(counts.size());
}

double matthews_correlation(const std::vector<int64_t>& predictions,
                            const std::vector<int64_t>& labels) {
  check_inputs("matthews_correlation", predictions.size(), labels.size());
  // sklearn matthews_corrcoef: t_k = true count of class k, p_k = predicted count, c = correct,
  // s = samples. All sums stay exact in double for any realistic data size (< 2^26 examples).
  std::map<int64_t, double> true_count, predicted_count;
  double correct = 0.0;
  for (size_t i = 0; i < labels.size(); ++i) {
    true_count[labels[i]] += 1.0;
    predicted_count[predictions[i]] += 1.0;
    correct += predictions[i] == labels[i] ? 1.0 : 0.0;
  }
  const double samples = static_cast<double>(labels.size());
  double p_dot_t = 0.0, p_dot_p = 0.0, t_dot_t = 0.0;
  for (const auto& [id, p] : predicted_count) {
    p_dot_p += p * p;
    const auto t = true_count.find(id);
    if (t != true_count.end()) p_dot_t += p * t->second;
  }
  for (const auto& [id, t] : true_count) t_dot_t += t * t;
  const double cov_ytyp = correct * samples - p_dot_t;
  const double cov_ypyp = samples * samples - p_dot_p;
  const double cov_ytyt = samples * samples - t_dot_t;
  if (cov_ypyp * cov_ytyt == 0.0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

}  // namespace adalora::metrics
