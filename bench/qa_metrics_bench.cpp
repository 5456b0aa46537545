// How long do the evaluation metrics take on 10,000 examples? ROUGE-1/2/L/Lsum with stemming
// (rouge_score's default in HF `evaluate`) on XSum-sized pairs (a 25-word prediction against a
// 3-sentence, 60-word reference) plus the bootstrap aggregate, and the SQuAD v2.0 scorer with
// na_probs (EM/F1 over 2 golds per question + the best-threshold search), and the v2 QA
// post-processing (utils_qa.py: one 384-token window per example, random logits, 20 × 20 span
// candidates), and NLTK's Punkt sentence split that precedes ROUGE-Lsum (both texts of every pair).
// Texts and logits are generated (seeded); no model. One JSON line per measurement.
#include <chrono>
#include <iostream>
#include <random>

#include "adalora/metrics/punkt.h"
#include "adalora/metrics/rouge.h"
#include "adalora/metrics/rouge_bootstrap.h"
#include "adalora/metrics/squad.h"
#include "adalora/tasks/qa_postprocess.h"

namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kWords = {
    "the",      "government", "said",   "on",       "Tuesday", "that",     "new",     "rules",
    "would",    "come",       "into",   "force",    "next",    "year",     "after",   "talks",
    "between",  "ministers",  "and",    "unions",   "failed",  "police",   "arrested", "two",
    "men",      "following",  "reports", "of",      "a",       "robbery",  "in",      "London",
    "scientists", "discovered", "species", "living", "deep",   "ocean",    "trenches", "prices",
    "rose",     "sharply",    "during", "winter",   "months",  "players",  "celebrated", "victory"};

std::string sentence(std::mt19937& rng, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) {
    s += (i ? " " : "") + kWords[rng() % kWords.size()];
  }
  return s + ".";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main() {
  constexpr int kExamples = 10000;
  std::mt19937 rng(1234);

  std::vector<std::string> predictions, references;
  for (int i = 0; i < kExamples; ++i) {
    predictions.push_back(sentence(rng, 25));
    references.push_back(sentence(rng, 20) + "\n" + sentence(rng, 20) + "\n" + sentence(rng, 20));
  }
  const std::vector<std::string> types = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
  const adalora::metrics::RougeScorer scorer(types, /*use_stemmer=*/true);
  auto start = Clock::now();
  std::vector<adalora::metrics::RougeScores> per_pair;
  per_pair.reserve(kExamples);
  for (int i = 0; i < kExamples; ++i) per_pair.push_back(scorer.score(references[i], predictions[i]));
  const double rouge_seconds = seconds_since(start);
  start = Clock::now();
  const auto intervals = adalora::metrics::rouge_bootstrap(per_pair, types, 42);
  const double bootstrap_seconds = seconds_since(start);
  std::cout << "{\"bench\": \"rouge\", \"pairs\": " << kExamples << ", \"seconds\": " << rouge_seconds
            << ", \"bootstrap_seconds\": " << bootstrap_seconds
            << ", \"rougeL_mid_f\": " << intervals.at("rougeL").mid.fmeasure << "}\n";

  start = Clock::now();
  size_t split_bytes = 0;
  for (int i = 0; i < kExamples; ++i) {
    split_bytes += adalora::metrics::split_sentences_for_rouge_lsum(predictions[i]).size();
    split_bytes += adalora::metrics::split_sentences_for_rouge_lsum(references[i]).size();
  }
  std::cout << "{\"bench\": \"punkt_split\", \"pairs\": " << kExamples << ", \"seconds\": "
            << seconds_since(start) << ", \"bytes\": " << split_bytes << "}\n";

  std::vector<adalora::metrics::SquadGold> golds;
  std::map<std::string, std::string> answers;
  adalora::metrics::NaProbs na_probs;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < kExamples; ++i) {
    const std::string id = "q" + std::to_string(i);
    const bool impossible = i % 3 == 0;
    golds.push_back({id, impossible ? std::vector<std::string>{}
                                    : std::vector<std::string>{sentence(rng, 3), sentence(rng, 5)}});
    answers[id] = i % 5 == 0 ? "" : sentence(rng, 4);
    na_probs.emplace_back(id, uniform(rng));
  }
  start = Clock::now();
  const auto result = adalora::metrics::evaluate_squad_v2(golds, answers, na_probs);
  std::cout << "{\"bench\": \"squad_v2_metric\", \"questions\": " << kExamples
            << ", \"seconds\": " << seconds_since(start) << ", \"f1\": " << result.f1
            << ", \"best_f1\": " << *result.best_f1 << "}\n";

  // Post-processing: a 384-token window whose tokens 20..383 are context words.
  const std::string context = sentence(rng, 400);
  std::normal_distribution<float> normal(0.f, 2.f);
  std::vector<adalora::tasks::QaFeatureLogits> windows(kExamples);
  for (auto& w : windows) {
    for (int64_t t = 0; t < 384; ++t) {
      w.start_logits.push_back(normal(rng));
      w.end_logits.push_back(normal(rng));
      if (t < 20) {
        w.offsets.push_back(std::nullopt);
      } else {
        w.offsets.push_back(std::pair<int64_t, int64_t>{(t - 20) * 5, (t - 20) * 5 + 4});
      }
    }
  }
  adalora::tasks::QaPostprocessOptions options;
  options.version_2_with_negative = true;
  start = Clock::now();
  size_t answered = 0;
  for (int i = 0; i < kExamples; ++i) {
    answered += adalora::tasks::postprocess_qa_example("q", context, {windows[i]}, options).text.empty() ? 0 : 1;
  }
  std::cout << "{\"bench\": \"qa_postprocess_v2\", \"examples\": " << kExamples
            << ", \"seconds\": " << seconds_since(start) << ", \"answered\": " << answered << "}\n";
  return 0;
}
