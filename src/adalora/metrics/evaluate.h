// Metrics by name: what a task's metric list (tasks/registry.cpp) resolves to.
//
// The names are those of HF `evaluate`'s GLUE metric (`accuracy`, `f1`, `matthews_correlation`,
// `pearson`, `spearmanr`) plus `macro_f1` for the generic multiclass format and `corr`, the mean
// of Pearson and Spearman — the "average correlation" that the paper's Table 1 reports for STS-B
// (HF run_glue calls the same number `combined_score`). Every metric here is higher-is-better, so
// the trainer can keep the checkpoint with the largest primary metric without a direction flag.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace adalora::metrics {

/// Metric name → value, ordered by name.
using MetricValues = std::map<std::string, double>;

/// Names accepted by evaluate_classification.
const std::vector<std::string>& classification_metric_names();

/// Names accepted by evaluate_regression.
const std::vector<std::string>& regression_metric_names();

/// Computes each named metric on class ids. Unknown or regression-only name → adalora::Error
/// listing the known names.
MetricValues evaluate_classification(const std::vector<std::string>& names,
                                     const std::vector<int64_t>& predictions,
                                     const std::vector<int64_t>& labels);

/// Computes each named metric on real-valued predictions. Unknown name → adalora::Error.
MetricValues evaluate_regression(const std::vector<std::string>& names,
                                 const std::vector<double>& predictions,
                                 const std::vector<double>& labels);

}  // namespace adalora::metrics
