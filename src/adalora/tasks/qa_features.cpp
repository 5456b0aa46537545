// run_qa.py's prepare_train_features / prepare_validation_features (see qa_features.h).
#include "adalora/tasks/qa_features.h"

#include <algorithm>

#include "adalora/core/error.h"
#include "adalora/tokenizers/parallel.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tasks {
namespace {

// Python's str.isspace(): bidirectional class WS, B or S, or category Zs.
bool python_is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// One window: the labels by HF's loops over the raw offsets (question tokens index the question,
// special tokens are (0, 0)), then the context-only offsets kept for evaluation.
QaFeature make_feature(const tokenizers::Encoding& window, const data::SquadExample& example,
                       size_t example_index, std::optional<int64_t> cls_id) {
  QaFeature f;
  f.example_index = example_index;
  f.input_ids = window.ids;
  f.token_type_ids = window.type_ids;
  const auto n = static_cast<int64_t>(window.ids.size());
  if (cls_id) {
    const auto it = std::find(window.ids.begin(), window.ids.end(), *cls_id);
    if (it != window.ids.end()) f.cls_index = it - window.ids.begin();
  }
  f.start_position = f.end_position = f.cls_index;
  const auto& offsets = window.offsets;
  const auto& seq = window.sequence_ids;
  if (!example.answers.empty()) {
    const auto& answer = example.answers.front();
    const int64_t start_char = answer.answer_start;
    const int64_t end_char =
        start_char + static_cast<int64_t>(tokenizers::utf8_to_u32(answer.text).size());
    int64_t first = 0;
    while (first < n && seq[first] != 1) ++first;
    int64_t last = n - 1;
    while (last >= 0 && seq[last] != 1) --last;
    if (first <= last && static_cast<int64_t>(offsets[first].first) <= start_char &&
        static_cast<int64_t>(offsets[last].second) >= end_char) {
      int64_t s = first;
      while (s < n && static_cast<int64_t>(offsets[s].first) <= start_char) ++s;
      int64_t e = last;
      while (e >= 0 && static_cast<int64_t>(offsets[e].second) >= end_char) --e;
      f.start_position = s - 1;
      f.end_position = e + 1;
    }
  }
  f.context_offsets.resize(window.ids.size());
  for (size_t t = 0; t < window.ids.size(); ++t) {
    if (seq[t] == 1) {
      f.context_offsets[t] = std::make_pair(static_cast<int64_t>(offsets[t].first),
                                            static_cast<int64_t>(offsets[t].second));
    }
  }
  return f;
}

}  // namespace

std::string python_lstrip(const std::string& text) {
  const std::u32string chars = tokenizers::utf8_to_u32(text);
  size_t i = 0;
  while (i < chars.size() && python_is_space(chars[i])) ++i;
  return i == 0 ? text : tokenizers::u32_to_utf8(std::u32string_view(chars).substr(i));
}

std::vector<QaFeature> prepare_qa_features(const std::vector<data::SquadExample>& examples,
                                           const tokenizers::Tokenizer& tokenizer,
                                           const QaFeatureOptions& options) {
  ADALORA_CHECK(options.max_seq_length > 0, "qa features: max_seq_length: expected > 0, got ",
                options.max_seq_length);
  ADALORA_CHECK(options.doc_stride >= 0, "qa features: doc_stride: expected ≥ 0, got ",
                options.doc_stride);
  tokenizers::TruncationOptions truncation;
  truncation.max_length = static_cast<size_t>(options.max_seq_length);
  truncation.strategy = tokenizers::TruncationStrategy::OnlySecond;
  truncation.stride = static_cast<size_t>(options.doc_stride);
  const std::optional<int64_t> cls_id = tokenizer.cls_id();

  // Per example, its windows (or the error that stopped it): the first error by example order is
  // reported, whatever the threads' schedule.
  std::vector<std::vector<QaFeature>> per_example(examples.size());
  std::vector<std::string> errors(examples.size());
  tokenizers::parallel_for(examples.size(), 0, [&](size_t i) {
    const auto& example = examples[i];
    try {
      const tokenizers::Encoding e = tokenizer.encode_pair(python_lstrip(example.question),
                                                           example.context, true, truncation);
      per_example[i].push_back(make_feature(e, example, i, cls_id));
      for (const auto& window : e.overflowing) {
        per_example[i].push_back(make_feature(window, example, i, cls_id));
      }
    } catch (const Error& error) {
      errors[i] = error.what();
    }
  });
  std::vector<QaFeature> features;
  for (size_t i = 0; i < examples.size(); ++i) {
    ADALORA_CHECK(errors[i].empty(), "qa features: question \"", examples[i].id, "\": ", errors[i],
                  " (max_seq_length ", options.max_seq_length, ", doc_stride ", options.doc_stride,
                  ")");
    for (auto& f : per_example[i]) features.push_back(std::move(f));
  }
  return features;
}

}  // namespace adalora::tasks
