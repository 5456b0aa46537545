// ROUGE exactly as Google's `rouge_score` 0.1.2 computes it (the package HF `evaluate` calls):
// `RougeScorer(types, use_stemmer)` with its default tokenizer and split_summaries=False.
//
// Tokenizer: Python lower() of the whole text, every character outside [a-z0-9] becomes a
// separator (so `Zürich` → `z rich`; `İ` → `i`, Kelvin sign → `k`), split, then NLTK's Porter
// stemmer on tokens longer than 3 characters when stemming is on.
// rougeN: clipped n-gram counts, P = hits / max(#prediction n-grams, 1), R likewise over the
// target. rougeL: LCS of the token lists (0 when either is empty). rougeLsum: the texts split on
// "\n" only (empty lines dropped, token-free lines kept), for each target line the union of the
// target indices of one LCS per prediction line (back-tracked from the corner: diagonal on equal
// tokens, left only when strictly larger, else up), a hit counted only while both whole-summary
// token counters are positive. F = 2PR/(P+R), 0 when P+R = 0. Precision is over the prediction,
// recall over the target (the reference).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace adalora::metrics {

struct RougeScore {
  double precision = 0.0, recall = 0.0, fmeasure = 0.0;
};

/// rouge type ("rouge1".."rouge9", "rougeL", "rougeLsum") → score.
using RougeScores = std::map<std::string, RougeScore>;

/// rouge_score's tokenize(text, stemmer).
std::vector<std::string> rouge_tokenize(std::string_view text, bool use_stemmer);

/// ROUGE-N on token lists.
RougeScore rouge_n(const std::vector<std::string>& target, const std::vector<std::string>& prediction,
                   int n);
/// ROUGE-L on token lists.
RougeScore rouge_l(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction);
/// ROUGE-Lsum (summary-level union LCS) on per-sentence token lists.
RougeScore rouge_lsum(const std::vector<std::vector<std::string>>& target_sentences,
                      const std::vector<std::vector<std::string>>& prediction_sentences);

/// rouge_score's RougeScorer: the types are checked once (unknown → adalora::Error).
class RougeScorer {
 public:
  explicit RougeScorer(std::vector<std::string> rouge_types, bool use_stemmer = true);

  /// score(target, prediction).
  RougeScores score(std::string_view target, std::string_view prediction) const;
  /// score_multi(targets, prediction): per type the target with the highest F (first on ties).
  /// `chosen` (optional) receives the index picked per type.
  RougeScores score_multi(const std::vector<std::string>& targets, std::string_view prediction,
                          std::map<std::string, size_t>* chosen = nullptr) const;

  /// Tokens of each non-empty "\n"-separated line, as rougeLsum uses them.
  std::vector<std::vector<std::string>> sentence_tokens(std::string_view text) const;

  const std::vector<std::string>& rouge_types() const { return rouge_types_; }

 private:
  std::vector<std::string> rouge_types_;
  bool use_stemmer_;
};

}  // namespace adalora::metrics
