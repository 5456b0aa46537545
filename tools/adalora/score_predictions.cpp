// Scoring a predictions file against SQuAD data (see score_predictions.h). Stricter than the
// scripts on purpose: evaluate-v1.1.py scores a missing id 0 and both scripts ignore unknown ids;
// here either is an error naming the file and the first few ids, since it means the predictions
// were made for another file.
#include "tools/adalora/score_predictions.h"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "adalora/core/error.h"
#include "adalora/data/squad.h"
#include "adalora/io/json.h"
#include "adalora/metrics/squad.h"

namespace adalora::cli {
namespace {

std::string first_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 5; ++i) out += (i ? ", \"" : "\"") + ids[i] + "\"";
  return out + (ids.size() > 5 ? str_cat(" and ", ids.size() - 5, " more") : "");
}

std::map<std::string, std::string> read_predictions(const std::string& path) {
  const io::Json root = io::load_json_file(path);
  ADALORA_CHECK(root.is_object(), path, ": expected an object {id: answer text}, got ", root.type_name());
  std::map<std::string, std::string> predictions;
  for (const auto& [id, text] : root.items()) {
    ADALORA_CHECK(text.is_string(), path, ": \"", id, "\": expected the answer text, got ", text.dump());
    predictions.emplace(id, text.get<std::string>());
  }
  return predictions;
}

// In file order: the order breaks ties of the best-threshold search.
metrics::NaProbs read_na_probs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": cannot open the file");
  nlohmann::ordered_json root;
  try {
    root = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(str_cat(path, ": invalid JSON (", e.what(), ")"));
  }
  ADALORA_CHECK(root.is_object(), path, ": expected an object {id: probability}, got ", root.type_name());
  metrics::NaProbs na_probs;
  for (const auto& [id, p] : root.items()) {
    ADALORA_CHECK(p.is_number(), path, ": \"", id, "\": expected a number, got ", p.dump());
    na_probs.emplace_back(id, p.get<double>());
  }
  return na_probs;
}

}  // namespace

int score_predictions(const PredictionScoring& s) {
  ADALORA_CHECK(s.task == "squad" || s.task == "squad_v2",
                "eval --predictions: --task: expected squad or squad_v2, got \"", s.task, "\"");
  ADALORA_CHECK(!s.data.empty(), "eval --predictions: --data: expected the SQuAD file the predictions answer");
  const data::SquadDataset dataset = data::read_squad_file(s.data);
  const auto predictions = read_predictions(s.predictions);
  std::vector<metrics::SquadGold> golds;
  std::vector<std::string> missing, unknown;
  std::map<std::string, bool> known;
  for (const auto& e : dataset.examples) {
    std::vector<std::string> answers;
    for (const auto& a : e.answers) answers.push_back(a.text);
    golds.push_back({e.id, std::move(answers)});
    known[e.id] = true;
    if (!predictions.count(e.id)) missing.push_back(e.id);
  }
  for (const auto& [id, text] : predictions) {
    if (!known.count(id)) unknown.push_back(id);
  }
  ADALORA_CHECK(missing.empty(), s.predictions, ": expected an answer for every question of ", s.data,
                ", got none for ", missing.size(), ": ", first_ids(missing));
  ADALORA_CHECK(unknown.empty(), s.predictions, ": expected only question ids of ", s.data, ", got ",
                unknown.size(), " unknown: ", first_ids(unknown));

  std::map<std::string, double> values;
  if (s.task == "squad") {
    ADALORA_CHECK(s.na_probs.empty(), "eval --predictions: --na-probs: only for squad_v2");
    const auto r = metrics::evaluate_squad_v1(golds, predictions);
    values = {{"exact_match", r.exact_match}, {"f1", r.f1}};
  } else {
    std::optional<metrics::NaProbs> na_probs;
    if (!s.na_probs.empty()) na_probs = read_na_probs(s.na_probs);
    values = metrics::evaluate_squad_v2(golds, predictions, na_probs, s.na_prob_thresh).to_map();
  }
  if (s.json) {
    std::cout << io::Json({{"task", s.task}, {"metrics", values}}).dump() << "\n";
    return 0;
  }
  std::cout << s.task << " predictions " << s.predictions << ":\n";
  for (const auto& [name, value] : values) {
    std::cout << "  " << std::left << std::setw(20) << name << std::fixed << std::setprecision(4)
              << value << "\n";
  }
  return 0;
}

}  // namespace adalora::cli
