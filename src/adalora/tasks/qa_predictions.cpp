// utils_qa.py postprocess_qa_predictions' loop over examples (see qa_predictions.h).
#include "adalora/tasks/qa_predictions.h"

#include "adalora/core/error.h"

namespace adalora::tasks {

QaPredictions postprocess_qa_predictions(const std::vector<data::SquadExample>& examples,
                                         const std::vector<QaFeature>& features,
                                         const std::vector<std::vector<float>>& start_logits,
                                         const std::vector<std::vector<float>>& end_logits,
                                         const QaPostprocessOptions& options) {
  ADALORA_CHECK(start_logits.size() == features.size() && end_logits.size() == features.size(),
                "qa post-processing: expected start and end logits for each of the ",
                features.size(), " features, got ", start_logits.size(), " and ", end_logits.size());
  std::vector<std::vector<size_t>> features_of(examples.size());
  for (size_t i = 0; i < features.size(); ++i) {
    ADALORA_CHECK(features[i].example_index < examples.size(), "qa post-processing: feature ", i,
                  ": example_index: expected below ", examples.size(), ", got ",
                  features[i].example_index);
    features_of[features[i].example_index].push_back(i);
  }
  QaPredictions out;
  for (size_t e = 0; e < examples.size(); ++e) {
    std::vector<QaFeatureLogits> windows;
    for (size_t i : features_of[e]) {
      const size_t n = features[i].input_ids.size();
      ADALORA_CHECK(start_logits[i].size() >= n && end_logits[i].size() >= n,
                    "qa post-processing: feature ", i, ": expected at least ", n,
                    " logits, got ", start_logits[i].size(), " and ", end_logits[i].size());
      QaFeatureLogits w;
      w.start_logits.assign(start_logits[i].begin(), start_logits[i].begin() + static_cast<std::ptrdiff_t>(n));
      w.end_logits.assign(end_logits[i].begin(), end_logits[i].begin() + static_cast<std::ptrdiff_t>(n));
      w.offsets = features[i].context_offsets;
      windows.push_back(std::move(w));
    }
    const QaPrediction p = postprocess_qa_example(examples[e].id, examples[e].context, windows, options);
    out.answers.emplace_back(examples[e].id, p.text);
    if (p.null_odds) out.null_odds.emplace_back(examples[e].id, *p.null_odds);
  }
  return out;
}

}  // namespace adalora::tasks
