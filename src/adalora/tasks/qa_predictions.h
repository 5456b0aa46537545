// From the start/end logits of every feature (window) of a SQuAD set to one answer per question:
// utils_qa.py postprocess_qa_predictions' outer loop (features grouped by their example, in window
// order) around tasks/qa_postprocess.h's per-example step.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "adalora/data/squad.h"
#include "adalora/tasks/qa_features.h"
#include "adalora/tasks/qa_postprocess.h"

namespace adalora::tasks {

/// The answers in dataset order (the official files' order: predictions.json, null_odds.json).
struct QaPredictions {
  std::vector<std::pair<std::string, std::string>> answers;  ///< (id, text); "" = no answer
  std::vector<std::pair<std::string, double>> null_odds;     ///< v2 only: (id, null − best span)
};

/// `start_logits[i]` / `end_logits[i]` belong to `features[i]` and hold at least its token count
/// (longer rows, e.g. padded batches, are cut to it). Throws adalora::Error when the counts or
/// lengths disagree, or a feature names an example that does not exist.
QaPredictions postprocess_qa_predictions(const std::vector<data::SquadExample>& examples,
                                         const std::vector<QaFeature>& features,
                                         const std::vector<std::vector<float>>& start_logits,
                                         const std::vector<std::vector<float>>& end_logits,
                                         const QaPostprocessOptions& options);

}  // namespace adalora::tasks
