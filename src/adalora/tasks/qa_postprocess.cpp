// utils_qa.py postprocess_qa_predictions for one example (see qa_postprocess.h).
#include "adalora/tasks/qa_postprocess.h"

#include <algorithm>
#include <numeric>

#include "adalora/core/error.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tasks {
namespace {

struct Candidate {
  std::pair<int64_t, int64_t> offsets;
  float score, start_logit, end_logit;
};

// np.argsort(logits)[-1 : -n - 1 : -1]: indices by descending logit, ties by descending index.
std::vector<size_t> top_indices(const std::vector<float>& logits, int64_t n) {
  std::vector<size_t> order(logits.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return logits[a] < logits[b]; });
  std::reverse(order.begin(), order.end());
  if (static_cast<int64_t>(order.size()) > n) order.resize(static_cast<size_t>(n));
  return order;
}

}  // namespace

QaPrediction postprocess_qa_example(const std::string& id, const std::string& context,
                                    const std::vector<QaFeatureLogits>& features,
                                    const QaPostprocessOptions& options) {
  std::optional<Candidate> null_candidate;
  std::vector<Candidate> candidates;
  for (const auto& f : features) {
    ADALORA_CHECK(f.start_logits.size() == f.end_logits.size() &&
                      f.start_logits.size() == f.offsets.size() && !f.start_logits.empty(),
                  "qa post-processing: example \"", id,
                  "\": expected start logits, end logits and offsets of one non-zero length, got ",
                  f.start_logits.size(), ", ", f.end_logits.size(), ", ", f.offsets.size());
    const float null_score = f.start_logits[0] + f.end_logits[0];
    if (!null_candidate || null_candidate->score > null_score) {
      null_candidate = Candidate{{0, 0}, null_score, f.start_logits[0], f.end_logits[0]};
    }
    const std::vector<size_t> ends = top_indices(f.end_logits, options.n_best_size);
    for (size_t s : top_indices(f.start_logits, options.n_best_size)) {
      for (size_t e : ends) {
        if (!f.offsets[s] || !f.offsets[e]) continue;  // outside the context
        if (e < s || static_cast<int64_t>(e - s + 1) > options.max_answer_length) continue;
        candidates.push_back({{f.offsets[s]->first, f.offsets[e]->second},
                              f.start_logits[s] + f.end_logits[e], f.start_logits[s], f.end_logits[e]});
      }
    }
  }
  if (options.version_2_with_negative && null_candidate) candidates.push_back(*null_candidate);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (static_cast<int64_t>(candidates.size()) > options.n_best_size) {
    candidates.resize(static_cast<size_t>(options.n_best_size));
  }
  const auto is_null = [](const Candidate& c) { return c.offsets == std::make_pair<int64_t, int64_t>(0, 0); };
  if (options.version_2_with_negative && null_candidate &&
      std::none_of(candidates.begin(), candidates.end(), is_null)) {
    candidates.push_back(*null_candidate);
  }
  const std::u32string chars = tokenizers::utf8_to_u32(context);
  // context[a:b] with Python's clamping.
  auto text_of = [&](const Candidate& c) {
    const auto n = static_cast<int64_t>(chars.size());
    const int64_t a = std::clamp<int64_t>(c.offsets.first, 0, n);
    const int64_t b = std::clamp<int64_t>(c.offsets.second, 0, n);
    return b > a ? tokenizers::u32_to_utf8(chars.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)))
                 : std::string();
  };
  std::vector<std::string> texts;
  for (const auto& c : candidates) texts.push_back(text_of(c));
  if (candidates.empty() || (candidates.size() == 1 && texts[0].empty())) {
    candidates.insert(candidates.begin(), Candidate{{0, 0}, 0.0f, 0.0f, 0.0f});
    texts.insert(texts.begin(), "empty");
  }
  if (!options.version_2_with_negative) return {texts[0], std::nullopt};
  size_t best = 0;
  while (best + 1 < texts.size() && texts[best].empty()) ++best;
  const float null_score = null_candidate ? null_candidate->score : 0.0f;
  const float diff = null_score - candidates[best].start_logit - candidates[best].end_logit;
  return {diff > options.null_score_diff_threshold ? std::string() : texts[best], double(diff)};
}

}  // namespace adalora::tasks
