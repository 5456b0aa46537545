// rouge_score's scorer (see rouge.h); the LCS is O(n·m) time per pair, rougeL in O(m) memory.
#include "adalora/metrics/rouge.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "adalora/core/error.h"
#include "adalora/metrics/porter_stemmer.h"
#include "adalora/metrics/python_text.h"

namespace adalora::metrics {
namespace {

double fmeasure(double precision, double recall) {
  return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}

RougeScore make_score(double precision, double recall) {
  return {precision, recall, fmeasure(precision, recall)};
}

bool is_ascii_alnum(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9'); }

// n-gram → count, keyed by the tokens joined with a byte no token contains.
std::unordered_map<std::string, int64_t> count_ngrams(const std::vector<std::string>& tokens,
                                                      int n) {
  std::unordered_map<std::string, int64_t> counts;
  for (size_t i = 0; i + static_cast<size_t>(n) <= tokens.size(); ++i) {
    std::string key = tokens[i];
    for (size_t k = 1; k < static_cast<size_t>(n); ++k) key.append(1, '\x01').append(tokens[i + k]);
    ++counts[key];
  }
  return counts;
}

// _lcs_table: t[i][j] = LCS of ref[:i] and can[:j]; [rows+1][cols+1] flattened.
std::vector<int32_t> lcs_table(const std::vector<std::string>& ref,
                               const std::vector<std::string>& can) {
  const size_t cols = can.size() + 1;
  std::vector<int32_t> t((ref.size() + 1) * cols, 0);
  for (size_t i = 1; i <= ref.size(); ++i) {
    for (size_t j = 1; j <= can.size(); ++j) {
      t[i * cols + j] = ref[i - 1] == can[j - 1]
                            ? t[(i - 1) * cols + j - 1] + 1
                            : std::max(t[(i - 1) * cols + j], t[i * cols + j - 1]);
    }
  }
  return t;
}

size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// lcs_ind → _backtrack_norec: the reference indices of one LCS.
std::vector<size_t> lcs_indices(const std::vector<std::string>& ref,
                                const std::vector<std::string>& can) {
  const auto t = lcs_table(ref, can);
  const size_t cols = can.size() + 1;
  std::vector<size_t> indices;
  size_t i = ref.size(), j = can.size();
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      indices.push_back(i - 1);
      --i, --j;
    } else if (t[i * cols + j - 1] > t[(i - 1) * cols + j]) {
      --j;
    } else {
      --i;
    }
  }
  std::reverse(indices.begin(), indices.end());
  return indices;
}

bool parse_rouge_n(const std::string& type, int* n) {
  if (type.size() == 6 && type.compare(0, 5, "rouge") == 0 && type[5] >= '0' && type[5] <= '9') {
    *n = type[5] - '0';
    return true;
  }
  return false;
}

// Stems are looked up again and again over a corpus: cache them per thread (the stemmer builds its
// rule lists per call, and measured ~10x slower than the lookup; bench/qa_metrics_bench).
const std::string& cached_stem(const std::string& token) {
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(token);
  if (it == cache.end()) it = cache.emplace(token, porter_stem(token)).first;
  return it->second;
}

}  // namespace

std::vector<std::string> rouge_tokenize(std::string_view text, bool use_stemmer) {
  const std::u32string lowered = python_lower(utf8_to_code_points(text));
  std::vector<std::string> tokens;
  std::string token;
  auto flush = [&] {
    if (token.empty()) return;
    tokens.push_back(use_stemmer && token.size() > 3 ? cached_stem(token) : token);
    if (tokens.back().empty()) tokens.pop_back();
    token.clear();
  };
  for (char32_t c : lowered) {
    if (is_ascii_alnum(c)) {
      token.push_back(static_cast<char>(c));
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

RougeScore rouge_n(const std::vector<std::string>& target, const std::vector<std::string>& prediction,
                   int n) {
  const auto target_ngrams = count_ngrams(target, n);
  const auto prediction_ngrams = count_ngrams(prediction, n);
  int64_t hits = 0, target_count = 0, prediction_count = 0;
  for (const auto& [ngram, count] : target_ngrams) {
    target_count += count;
    const auto it = prediction_ngrams.find(ngram);
    if (it != prediction_ngrams.end()) hits += std::min(count, it->second);
  }
  for (const auto& entry : prediction_ngrams) prediction_count += entry.second;
  return make_score(double(hits) / double(std::max<int64_t>(prediction_count, 1)),
                    double(hits) / double(std::max<int64_t>(target_count, 1)));
}

RougeScore rouge_l(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction) {
  if (target.empty() || prediction.empty()) return {};
  const double lcs = double(lcs_length(target, prediction));
  return make_score(lcs / double(prediction.size()), lcs / double(target.size()));
}

RougeScore rouge_lsum(const std::vector<std::vector<std::string>>& target_sentences,
                      const std::vector<std::vector<std::string>>& prediction_sentences) {
  if (target_sentences.empty() || prediction_sentences.empty()) return {};
  size_t m = 0, n = 0;
  std::unordered_map<std::string, int64_t> target_counts, prediction_counts;
  for (const auto& s : target_sentences) {
    m += s.size();
    for (const auto& t : s) ++target_counts[t];
  }
  for (const auto& s : prediction_sentences) {
    n += s.size();
    for (const auto& t : s) ++prediction_counts[t];
  }
  if (m == 0 || n == 0) return {};
  int64_t hits = 0;
  for (const auto& reference : target_sentences) {
    std::set<size_t> union_indices;
    for (const auto& candidate : prediction_sentences) {
      for (size_t i : lcs_indices(reference, candidate)) union_indices.insert(i);
    }
    for (size_t i : union_indices) {  // ascending, as sorted(set().union(...))
      int64_t& in_prediction = prediction_counts[reference[i]];
      int64_t& in_target = target_counts[reference[i]];
      if (in_prediction > 0 && in_target > 0) {
        ++hits, --in_prediction, --in_target;
      }
    }
  }
  return make_score(double(hits) / double(n), double(hits) / double(m));
}

RougeScorer::RougeScorer(std::vector<std::string> rouge_types, bool use_stemmer)
    : rouge_types_(std::move(rouge_types)), use_stemmer_(use_stemmer) {
  for (const auto& type : rouge_types_) {
    int n = 0;
    ADALORA_CHECK(type == "rougeL" || type == "rougeLsum" || parse_rouge_n(type, &n),
                  "rouge: type \"", type,
                  "\": expected rouge1..rouge9, rougeL or rougeLsum");
  }
}

std::vector<std::vector<std::string>> RougeScorer::sentence_tokens(std::string_view text) const {
  std::vector<std::vector<std::string>> sentences;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) sentences.push_back(rouge_tokenize(text.substr(start, end - start), use_stemmer_));
    start = end + 1;
  }
  return sentences;
}

RougeScores RougeScorer::score(std::string_view target, std::string_view prediction) const {
  const auto target_tokens = rouge_tokenize(target, use_stemmer_);
  const auto prediction_tokens = rouge_tokenize(prediction, use_stemmer_);
  RougeScores scores;
  for (const auto& type : rouge_types_) {
    int n = 0;
    if (type == "rougeL") {
      scores[type] = rouge_l(target_tokens, prediction_tokens);
    } else if (type == "rougeLsum") {
      scores[type] = rouge_lsum(sentence_tokens(target), sentence_tokens(prediction));
    } else if (parse_rouge_n(type, &n)) {
      scores[type] = rouge_n(target_tokens, prediction_tokens, n);
    }
  }
  return scores;
}

RougeScores RougeScorer::score_multi(const std::vector<std::string>& targets,
                                     std::string_view prediction,
                                     std::map<std::string, size_t>* chosen) const {
  ADALORA_CHECK(!targets.empty(), "rouge: score_multi: expected at least one target, got none");
  std::vector<RougeScores> per_target;
  for (const auto& target : targets) per_target.push_back(score(target, prediction));
  RougeScores best;
  for (const auto& type : rouge_types_) {
    size_t best_index = 0;
    for (size_t k = 1; k < per_target.size(); ++k) {
      if (per_target[k][type].fmeasure > per_target[best_index][type].fmeasure) best_index = k;
    }
    best[type] = per_target[best_index][type];
    if (chosen) (*chosen)[type] = best_index;
  }
  return best;
}

}  // namespace adalora::metrics
