// SQuAD metrics exactly as the official scorers compute them: `evaluate-v1.1.py` and
// `evaluate-v2.0.py` (the scripts HF `evaluate`'s squad / squad_v2 metrics wrap).
//
// Both normalise an answer as: Python lower() → drop the 32 ASCII punctuation characters →
// replace the words a/an/the (re `\b(a|an|the)\b`, Unicode word boundaries) by a space → split on
// Unicode whitespace and join with one space. The versions then differ (pinned by the golden
// cases in ../shared/golden/metrics):
// - v1.1: EM compares normalised strings; F1 is 0 whenever no token is shared, so a gold that
//   normalises to nothing scores EM 1, F1 0. EM and F1 each take their own max over the golds. A
//   question without a prediction counts in the total with 0 (the script prints a note).
// - v2.0: golds that normalise to nothing are dropped ([""] if none remain); F1 is 1 when both
//   token lists are empty, 0 when only one is. A question is HasAns when its answer list is
//   non-empty. With na_probs, a question whose na_prob > threshold (strictly) scores
//   float(not has_ans); `find_best_thresh` scans the questions in a stable sort by na_prob
//   (ties in the order of the na_probs file), adding the raw score of answerable ones and −1 for
//   unanswerable ones whose *raw* prediction string is non-empty, and keeps strict improvements.
// Sums run in the scripts' order (questions in dataset order) so results match bit for bit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adalora::metrics {

/// One question of a SQuAD set, in dataset order: its id and gold answer texts (may be empty).
struct SquadGold {
  std::string id;
  std::vector<std::string> answers;
};

/// The scripts' normalize_answer (same in v1.1 and v2.0).
std::string normalize_squad_answer(std::string_view text);

/// v1.1 exact_match_score: normalised strings equal.
bool squad_v1_exact(std::string_view prediction, std::string_view gold);
/// v1.1 f1_score: token F1; 0 when no token is shared.
double squad_v1_f1(std::string_view prediction, std::string_view gold);

struct SquadV1Result {
  double exact_match = 0.0;  // percent
  double f1 = 0.0;           // percent
  int64_t total = 0;
  std::vector<std::string> missing_ids;  // scored 0, in dataset order
};

/// evaluate-v1.1.py's evaluate(): predictions missing an id count as 0 (listed in missing_ids).
SquadV1Result evaluate_squad_v1(const std::vector<SquadGold>& golds,
                                const std::map<std::string, std::string>& predictions);

/// v2.0 compute_exact(a_gold, a_pred).
int squad_v2_exact(std::string_view gold, std::string_view prediction);
/// v2.0 compute_f1(a_gold, a_pred).
double squad_v2_f1(std::string_view gold, std::string_view prediction);
/// v2.0 gold list used for scoring: answers that normalise to something, else {""}.
std::vector<std::string> squad_v2_golds_used(const std::vector<std::string>& answers);

/// na_probs in the order of their file (the order breaks ties of the best-threshold search).
using NaProbs = std::vector<std::pair<std::string, double>>;

struct SquadV2Result {
  double exact = 0.0, f1 = 0.0;
  int64_t total = 0;
  double has_ans_exact = 0.0, has_ans_f1 = 0.0;
  int64_t has_ans_total = 0;
  double no_ans_exact = 0.0, no_ans_f1 = 0.0;
  int64_t no_ans_total = 0;
  // Present only when na_probs were given (the script's --na-prob-file).
  std::optional<double> best_exact, best_exact_thresh, best_f1, best_f1_thresh;

  /// The script's output keys: exact, f1, total, HasAns_* / NoAns_* (when non-empty), best_*.
  std::map<std::string, double> to_map() const;
};

/// evaluate-v2.0.py's main(). Every gold id must have a prediction (the script crashes
/// otherwise) and every na_probs entry must be a gold id with a prediction → adalora::Error.
SquadV2Result evaluate_squad_v2(const std::vector<SquadGold>& golds,
                                const std::map<std::string, std::string>& predictions,
                                const std::optional<NaProbs>& na_probs,
                                double na_prob_thresh = 1.0);

}  // namespace adalora::metrics
