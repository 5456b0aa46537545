// `adalora eval --predictions FILE --data FILE`: score a predictions file ({id: answer text}) with
// the task's official metric, without a model (squad → evaluate-v1.1.py, squad_v2 →
// evaluate-v2.0.py with an optional na_probs file).
#pragma once

#include <optional>
#include <string>

namespace adalora::cli {

struct PredictionScoring {
  std::string task;         ///< "squad" or "squad_v2"
  std::string predictions;  ///< {id: text}
  std::string data;         ///< SQuAD JSON / JSONL
  std::string na_probs;     ///< optional {id: probability of no answer} (squad_v2)
  double na_prob_thresh = 1.0;
  bool json = false;
};

/// Prints the metrics (the script's JSON keys) and returns the exit code. Throws adalora::Error
/// (exit 2) on an unknown task, ids missing from the predictions or unknown to the data.
int score_predictions(const PredictionScoring& s);

}  // namespace adalora::cli
