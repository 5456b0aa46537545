// Dispatch from metric names to the metric functions (see evaluate.h).
#include "adalora/metrics/evaluate.h"

#include "adalora/core/error.h"
#include "adalora/metrics/classification.h"
#include "adalora/metrics/correlation.h"

namespace adalora::metrics {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

const std::vector<std::string>& classification_metric_names() {
  static const std::vector<std::string> kNames = {"accuracy", "f1", "macro_f1",
                                                  "matthews_correlation"};
  return kNames;
}

const std::vector<std::string>& regression_metric_names() {
  static const std::vector<std::string> kNames = {"corr", "pearson", "spearmanr"};
  return kNames;
}

MetricValues evaluate_classification(const std::vector<std::string>& names,
                                     const std::vector<int64_t>& predictions,
                                     const std::vector<int64_t>& labels) {
  MetricValues values;
  for (const auto& name : names) {
    if (name == "accuracy") {
      values[name] = accuracy(predictions, labels);
    } else if (name == "f1") {
      values[name] = binary_f1(predictions, labels);
    } else if (name == "macro_f1") {
      values[name] = macro_f1(predictions, labels);
    } else if (name == "matthews_correlation") {
      values[name] = matthews_correlation(predictions, labels);
    } else {
      throw Error(str_cat("metrics: metric name: expected a classification metric (",
                          join(classification_metric_names()), "), got \"", name, "\""));
    }
  }
  return values;
}

MetricValues evaluate_regression(const std::vector<std::string>& names,
                                 const std::vector<double>& predictions,
                                 const std::vector<double>& labels) {
  MetricValues values;
  for (const auto& name : names) {
    if (name == "pearson") {
      values[name] = pearson(predictions, labels);
    } else if (name == "spearmanr") {
      values[name] = spearman(predictions, labels);
    } else if (name == "corr") {
      values[name] = 0.5 * (pearson(predictions, labels) + spearman(predictions, labels));
    } else {
      throw Error(str_cat("metrics: metric name: expected a regression metric (",
                          join(regression_metric_names()), "), got \"", name, "\""));
    }
  }
  return values;
}

}  // namespace adalora::metrics
