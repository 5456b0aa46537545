// Question-answering post-processing as HF transformers v4.40.2
// examples/pytorch/question-answering/utils_qa.py `postprocess_qa_predictions`: from each
// feature's (window's) start/end logits to one answer text per example, for SQuAD v1.1 and v2.0.
//
// Per feature: the top n_best_size start and end indices (descending logit; ties: the higher
// index first, as np.argsort(...)[::-1] gives for a stable sort), every pair inside the context
// (offsets present), end ≥ start, length ≤ max_answer_length; score = start + end logit in
// float32 as numpy adds them. The null score is start_logits[0] + end_logits[0] of the feature
// where it is smallest. v2: the null prediction joins the candidates; candidates sorted by score
// (stable, descending) and cut to n_best_size; the null is re-added if cut; the answer is ""
// when null_score − (start + end logit of the best non-empty candidate) > the threshold, and that
// difference is the example's null odds. Offsets are code-point positions in the context.
// Not here: token_is_max_context (run_qa.py does not pass it), the n-best and probability files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace adalora::tasks {

/// One window of one example after the forward pass.
struct QaFeatureLogits {
  std::vector<float> start_logits;  ///< [tokens]
  std::vector<float> end_logits;    ///< [tokens]
  /// [tokens]: (start, end) code points in the context; nullopt outside the context.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> offsets;
};

struct QaPostprocessOptions {
  bool version_2_with_negative = false;
  int64_t n_best_size = 20;
  int64_t max_answer_length = 30;
  float null_score_diff_threshold = 0.0f;
};

struct QaPrediction {
  std::string text;           ///< "" = no answer (v2)
  std::optional<double> null_odds;  ///< v2 only: null_score − best non-null score
};

/// The answer of one example from all its features (in window order). `context` is the example's
/// context (UTF-8). A feature with mismatched lengths → adalora::Error naming `id`.
QaPrediction postprocess_qa_example(const std::string& id, const std::string& context,
                                    const std::vector<QaFeatureLogits>& features,
                                    const QaPostprocessOptions& options);

}  // namespace adalora::tasks
