// Classification metrics on class ids: accuracy, binary F1, macro F1, Matthews correlation.
//
// Each function mirrors the scikit-learn 1.x function of the same purpose (`accuracy_score`,
// `f1_score(average="binary"|"macro")`, `matthews_corrcoef`), including its answers in the
// degenerate cases (zero_division → 0, MCC → 0 when a marginal is constant). Plain vectors in,
// one double out; no LibTorch, so the trainer gathers predictions to host first. Inputs of
// different lengths or of length zero are misuse and throw adalora::Error.
#pragma once

#include <cstdint>
#include <vector>

namespace adalora::metrics {

/// Fraction of positions where `predictions[i] == labels[i]` (sklearn `accuracy_score`).
double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels);

/// F1 of the positive class 1: 2·tp / (2·tp + fp + fn); 0 when tp + fp + fn = 0 (sklearn
/// `f1_score(average="binary")` with zero_division=0). Every id must be 0 or 1.
double binary_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels);

/// Unweighted mean of the per-class F1 over the classes that occur in `labels` or
/// `predictions` (sklearn `f1_score(average="macro")`, zero_division=0).
double macro_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels);

/// Matthews correlation coefficient, multiclass form (Gorodkin 2004) as sklearn computes it:
/// (c·s − Σ pₖtₖ) / sqrt((s² − Σ pₖ²)(s² − Σ tₖ²)); 0 when the denominator is 0.
double matthews_correlation(const std::vector<int64_t>& predictions,
                            const std::vector<int64_t>& labels);

}  // namespace adalora::metrics
