// SQuAD v1.1 / v2.0 scorers; behaviour and order of sums as the official scripts (see squad.h).
#include "adalora/metrics/squad.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "adalora/core/error.h"
#include "adalora/metrics/python_text.h"

namespace adalora::metrics {
namespace {

// Python's string.punctuation.
bool is_ascii_punctuation(char32_t c) {
  static constexpr std::u32string_view kPunctuation = U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  return kPunctuation.find(c) != std::u32string_view::npos;
}

// re.sub(r'\b(a|an|the)\b', ' ', text): a whole run of word characters equal to an article.
std::u32string replace_articles(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!python_is_word_char(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && python_is_word_char(text[end])) ++end;
    const std::u32string_view word(text.data() + i, end - i);
    if (word == U"a" || word == U"an" || word == U"the") {
      out.push_back(U' ');
    } else {
      out.append(word);
    }
    i = end;
  }
  return out;
}

// str.split() on the normalised text, as UTF-8 tokens.
std::vector<std::string> split_whitespace(const std::u32string& text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && python_is_space(text[i])) ++i;
    size_t end = i;
    while (end < text.size() && !python_is_space(text[end])) ++end;
    if (end > i) tokens.push_back(code_points_to_utf8(std::u32string_view(text).substr(i, end - i)));
    i = end;
  }
  return tokens;
}

std::vector<std::string> normalized_tokens(std::string_view text) {
  std::u32string lowered = python_lower(utf8_to_code_points(text));
  lowered.erase(std::remove_if(lowered.begin(), lowered.end(), is_ascii_punctuation), lowered.end());
  return split_whitespace(replace_articles(lowered));
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    out += tokens[i];
  }
  return out;
}

// sum((Counter(a) & Counter(b)).values())
int64_t shared_token_count(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& t : a) ++counts[t];
  int64_t shared = 0;
  for (const auto& t : b) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++shared;
    }
  }
  return shared;
}

double token_f1(int64_t shared, size_t prediction_tokens, size_t gold_tokens) {
  const double precision = 1.0 * static_cast<double>(shared) / static_cast<double>(prediction_tokens);
  const double recall = 1.0 * static_cast<double>(shared) / static_cast<double>(gold_tokens);
  return (2 * precision * recall) / (precision + recall);
}

}  // namespace

std::string normalize_squad_answer(std::string_view text) {
  return join_tokens(normalized_tokens(text));
}

bool squad_v1_exact(std::string_view prediction, std::string_view gold) {
  return normalize_squad_answer(prediction) == normalize_squad_answer(gold);
}

double squad_v1_f1(std::string_view prediction, std::string_view gold) {
  const auto prediction_tokens = normalized_tokens(prediction);
  const auto gold_tokens = normalized_tokens(gold);
  const int64_t shared = shared_token_count(prediction_tokens, gold_tokens);
  if (shared == 0) return 0.0;
  return token_f1(shared, prediction_tokens.size(), gold_tokens.size());
}

SquadV1Result evaluate_squad_v1(const std::vector<SquadGold>& golds,
                                const std::map<std::string, std::string>& predictions) {
  SquadV1Result result;
  int64_t exact_sum = 0;
  double f1_sum = 0.0;
  for (const auto& gold : golds) {
    ++result.total;
    const auto it = predictions.find(gold.id);
    if (it == predictions.end()) {
      result.missing_ids.push_back(gold.id);
      continue;
    }
    // metric_max_over_ground_truths: max() of an empty list raises in the script.
    ADALORA_CHECK(!gold.answers.empty(), "squad v1.1: question \"", gold.id,
                  "\": answers: expected at least one gold answer, got none");
    bool exact = false;
    double f1 = 0.0;
    for (const auto& answer : gold.answers) {
      exact = exact || squad_v1_exact(it->second, answer);
      f1 = std::max(f1, squad_v1_f1(it->second, answer));
    }
    exact_sum += exact ? 1 : 0;
    f1_sum += f1;
  }
  ADALORA_CHECK(result.total > 0, "squad v1.1: expected at least one question, got 0");
  result.exact_match = 100.0 * static_cast<double>(exact_sum) / static_cast<double>(result.total);
  result.f1 = 100.0 * f1_sum / static_cast<double>(result.total);
  return result;
}

int squad_v2_exact(std::string_view gold, std::string_view prediction) {
  return normalize_squad_answer(gold) == normalize_squad_answer(prediction) ? 1 : 0;
}

double squad_v2_f1(std::string_view gold, std::string_view prediction) {
  // get_tokens: an empty string gives no tokens (and so does one that normalises to nothing).
  const auto gold_tokens = normalized_tokens(gold);
  const auto prediction_tokens = normalized_tokens(prediction);
  if (gold_tokens.empty() || prediction_tokens.empty()) {
    return gold_tokens == prediction_tokens ? 1.0 : 0.0;
  }
  const int64_t shared = shared_token_count(gold_tokens, prediction_tokens);
  if (shared == 0) return 0.0;
  return token_f1(shared, prediction_tokens.size(), gold_tokens.size());
}

std::vector<std::string> squad_v2_golds_used(const std::vector<std::string>& answers) {
  std::vector<std::string> used;
  for (const auto& a : answers) {
    if (!normalize_squad_answer(a).empty()) used.push_back(a);
  }
  if (used.empty()) used.push_back("");
  return used;
}

std::map<std::string, double> SquadV2Result::to_map() const {
  std::map<std::string, double> m{{"exact", exact}, {"f1", f1}, {"total", double(total)}};
  if (has_ans_total > 0) {
    m["HasAns_exact"] = has_ans_exact, m["HasAns_f1"] = has_ans_f1;
    m["HasAns_total"] = double(has_ans_total);
  }
  if (no_ans_total > 0) {
    m["NoAns_exact"] = no_ans_exact, m["NoAns_f1"] = no_ans_f1;
    m["NoAns_total"] = double(no_ans_total);
  }
  if (best_exact) {
    m["best_exact"] = *best_exact, m["best_exact_thresh"] = *best_exact_thresh;
    m["best_f1"] = *best_f1, m["best_f1_thresh"] = *best_f1_thresh;
  }
  return m;
}

namespace {

struct ScoredQuestion {
  const SquadGold* gold;
  bool has_ans;
  double exact_raw, f1_raw;
  double exact, f1;  // after the na_prob threshold
};

// find_best_thresh(preds, scores, na_probs, qid_to_has_ans) for one score kind.
std::pair<double, double> find_best_thresh(const NaProbs& na_probs,
                                           const std::unordered_map<std::string, size_t>& index,
                                           const std::vector<ScoredQuestion>& questions,
                                           const std::map<std::string, std::string>& predictions,
                                           double ScoredQuestion::*raw) {
  int64_t num_no_ans = 0;
  for (const auto& q : questions) num_no_ans += q.has_ans ? 0 : 1;
  double current = static_cast<double>(num_no_ans);
  double best = current;
  double best_thresh = 0.0;
  std::vector<size_t> order(na_probs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return na_probs[a].second < na_probs[b].second; });
  for (size_t k : order) {
    const auto it = index.find(na_probs[k].first);
    if (it == index.end()) continue;  // `if qid not in scores: continue`
    const ScoredQuestion& q = questions[it->second];
    double diff;
    if (q.has_ans) {
      diff = q.*raw;
    } else {
      diff = predictions.at(q.gold->id).empty() ? 0.0 : -1.0;  // the raw string, not normalised
    }
    current += diff;
    if (current > best) {
      best = current;
      best_thresh = na_probs[k].second;
    }
  }
  return {100.0 * best / static_cast<double>(questions.size()), best_thresh};
}

}  // namespace

SquadV2Result evaluate_squad_v2(const std::vector<SquadGold>& golds,
                                const std::map<std::string, std::string>& predictions,
                                const std::optional<NaProbs>& na_probs, double na_prob_thresh) {
  std::unordered_map<std::string, double> na_prob_of;
  if (na_probs) {
    for (const auto& [id, p] : *na_probs) na_prob_of.emplace(id, p);
  }
  std::vector<ScoredQuestion> questions;
  std::unordered_map<std::string, size_t> index;  // id → position in `questions`
  for (const auto& gold : golds) {
    const auto it = predictions.find(gold.id);
    ADALORA_CHECK(it != predictions.end(), "squad v2.0: predictions: question \"", gold.id,
                  "\": expected a prediction, got none (evaluate-v2.0.py fails on a missing id)");
    ScoredQuestion q{&gold, !gold.answers.empty(), 0.0, 0.0, 0.0, 0.0};
    for (const auto& answer : squad_v2_golds_used(gold.answers)) {
      q.exact_raw = std::max(q.exact_raw, double(squad_v2_exact(answer, it->second)));
      q.f1_raw = std::max(q.f1_raw, squad_v2_f1(answer, it->second));
    }
    double na_prob = 0.0;  // the script's default when there is no na_probs file
    if (na_probs) {
      const auto p = na_prob_of.find(gold.id);
      ADALORA_CHECK(p != na_prob_of.end(), "squad v2.0: na_probs: question \"", gold.id,
                    "\": expected a no-answer probability, got none");
      na_prob = p->second;
    }
    const bool predicted_no_answer = na_prob > na_prob_thresh;
    q.exact = predicted_no_answer ? double(!q.has_ans) : q.exact_raw;
    q.f1 = predicted_no_answer ? double(!q.has_ans) : q.f1_raw;
    // A repeated id overwrites the script's dict entry in place (first position, last value).
    const auto [slot, inserted] = index.emplace(gold.id, questions.size());
    if (inserted) {
      questions.push_back(q);
    } else {
      questions[slot->second] = q;
    }
  }
  ADALORA_CHECK(!questions.empty(), "squad v2.0: expected at least one question, got 0");

  SquadV2Result result;
  double exact_sum = 0.0, f1_sum = 0.0, has_exact = 0.0, has_f1 = 0.0, no_exact = 0.0,
         no_f1 = 0.0;
  for (const auto& q : questions) {
    exact_sum += q.exact, f1_sum += q.f1;
    if (q.has_ans) {
      has_exact += q.exact, has_f1 += q.f1, ++result.has_ans_total;
    } else {
      no_exact += q.exact, no_f1 += q.f1, ++result.no_ans_total;
    }
  }
  result.total = static_cast<int64_t>(questions.size());
  result.exact = 100.0 * exact_sum / double(result.total);
  result.f1 = 100.0 * f1_sum / double(result.total);
  if (result.has_ans_total > 0) {
    result.has_ans_exact = 100.0 * has_exact / double(result.has_ans_total);
    result.has_ans_f1 = 100.0 * has_f1 / double(result.has_ans_total);
  }
  if (result.no_ans_total > 0) {
    result.no_ans_exact = 100.0 * no_exact / double(result.no_ans_total);
    result.no_ans_f1 = 100.0 * no_f1 / double(result.no_ans_total);
  }
  if (na_probs) {
    const auto exact = find_best_thresh(*na_probs, index, questions, predictions,
                                        &ScoredQuestion::exact_raw);
    const auto f1 = find_best_thresh(*na_probs, index, questions, predictions,
                                     &ScoredQuestion::f1_raw);
    result.best_exact = exact.first, result.best_exact_thresh = exact.second;
    result.best_f1 = f1.first, result.best_f1_thresh = f1.second;
  }
  return result;
}

}  // namespace adalora::metrics
