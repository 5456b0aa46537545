// Our ROUGE and SQuAD metrics against the official scorers' outputs (../shared/golden/metrics,
// README there): rouge_score 0.1.2, evaluate-v1.1.py, evaluate-v2.0.py. Data-driven: every case
// of rouge_cases.json (tokens, sentence tokens, P/R/F per type, both stemmer settings), every
// multi-reference case, the means and the bootstrap; every SQuAD question and every v2 run named
// in expected.json. Tolerance as the README says: |ours − expected| ≤ 1e-12·max(1, |expected|).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "adalora/metrics/rouge.h"
#include "adalora/metrics/rouge_bootstrap.h"
#include "adalora/metrics/squad.h"
#include "tests/support/golden.h"

namespace adalora::metrics {
namespace {

using adalora::testing::golden_path;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

template <typename J>
J read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) throw Error(path + ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return J::parse(s.str());
}

void expect_close(double ours, double expected, const std::string& what) {
  EXPECT_LE(std::abs(ours - expected), 1e-12 * std::max(1.0, std::abs(expected)))
      << what << ": ours " << ours << ", expected " << expected;
}

const std::vector<std::string> kRougeTypes = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
const std::vector<std::pair<std::string, bool>> kSettings = {{"use_stemmer_true", true},
                                                             {"use_stemmer_false", false}};

void expect_scores(const RougeScores& ours, const Json& expected, const std::string& where) {
  for (const auto& type : kRougeTypes) {
    const auto& e = expected.at(type);
    expect_close(ours.at(type).precision, e.at("precision"), where + " " + type + " precision");
    expect_close(ours.at(type).recall, e.at("recall"), where + " " + type + " recall");
    expect_close(ours.at(type).fmeasure, e.at("fmeasure"), where + " " + type + " fmeasure");
  }
}

TEST(RougeGoldenTest, EveryCaseTokensAndScores) {
  ADALORA_REQUIRE_GOLDEN("metrics/rouge_cases.json");
  const auto golden = read_json<Json>(golden_path("metrics/rouge_cases.json"));
  ASSERT_FALSE(golden.at("cases").empty());
  for (const auto& [setting, stem] : kSettings) {
    const RougeScorer scorer(kRougeTypes, stem);
    for (const auto& c : golden.at("cases")) {
      const std::string where = c.at("id").get<std::string>() + " " + setting;
      const std::string prediction = c.at("prediction"), reference = c.at("reference");
      EXPECT_EQ(rouge_tokenize(prediction, stem),
                c.at("tokens").at(setting).at("prediction").get<std::vector<std::string>>())
          << where << " prediction tokens of: " << prediction;
      EXPECT_EQ(rouge_tokenize(reference, stem),
                c.at("tokens").at(setting).at("reference").get<std::vector<std::string>>())
          << where << " reference tokens of: " << reference;
      using Sentences = std::vector<std::vector<std::string>>;
      EXPECT_EQ(scorer.sentence_tokens(prediction),
                c.at("lsum_sentence_tokens").at(setting).at("prediction").get<Sentences>())
          << where << " prediction sentences";
      EXPECT_EQ(scorer.sentence_tokens(reference),
                c.at("lsum_sentence_tokens").at(setting).at("reference").get<Sentences>())
          << where << " reference sentences";
      expect_scores(scorer.score(reference, prediction), c.at("scores").at(setting), where);
    }
  }
}

TEST(RougeGoldenTest, EveryMultiReferenceCase) {
  ADALORA_REQUIRE_GOLDEN("metrics/rouge_cases.json");
  const auto golden = read_json<Json>(golden_path("metrics/rouge_cases.json"));
  ASSERT_FALSE(golden.at("multi_reference_cases").empty());
  for (const auto& [setting, stem] : kSettings) {
    const RougeScorer scorer(kRougeTypes, stem);
    for (const auto& c : golden.at("multi_reference_cases")) {
      const std::string where = c.at("id").get<std::string>() + " " + setting;
      std::map<std::string, size_t> chosen;
      const auto scores = scorer.score_multi(c.at("references").get<std::vector<std::string>>(),
                                             c.at("prediction").get<std::string>(), &chosen);
      expect_scores(scores, c.at("scores").at(setting), where);
      for (const auto& type : kRougeTypes) {
        EXPECT_EQ(chosen.at(type), c.at("chosen_reference_index").at(setting).at(type).get<size_t>())
            << where << " " << type << " chosen reference";
      }
    }
  }
}

TEST(RougeGoldenTest, MeansAndBootstrapAggregate) {
  ADALORA_REQUIRE_GOLDEN("metrics/rouge_cases.json");
  const auto golden = read_json<Json>(golden_path("metrics/rouge_cases.json"));
  for (const auto& [setting, stem] : kSettings) {
    const RougeScorer scorer(kRougeTypes, stem);
    std::vector<RougeScores> per_pair;
    for (const auto& c : golden.at("cases")) {
      per_pair.push_back(scorer.score(c.at("reference").get<std::string>(),
                                      c.at("prediction").get<std::string>()));
    }
    const auto& aggregate = golden.at("aggregate").at(setting);
    ASSERT_EQ(per_pair.size(), aggregate.at("n_pairs").get<size_t>());
    const auto mean = rouge_mean(per_pair);
    for (const auto& type : kRougeTypes) {
      expect_close(mean.at(type).fmeasure, aggregate.at("mean_fmeasure").at(type), setting + " mean F " + type);
      expect_close(mean.at(type).precision, aggregate.at("mean_precision").at(type), setting + " mean P " + type);
      expect_close(mean.at(type).recall, aggregate.at("mean_recall").at(type), setting + " mean R " + type);
    }
    const auto& bootstrap = aggregate.at("bootstrap");
    const auto intervals = rouge_bootstrap(
        per_pair, bootstrap.at("type_order").get<std::vector<std::string>>(),
        bootstrap.at("seed").get<uint32_t>(), bootstrap.at("n_samples").get<int>(),
        bootstrap.at("confidence_interval").get<double>());
    for (const auto& [type, expected] : bootstrap.at("scores").items()) {
      const auto& ours = intervals.at(type);
      const std::vector<std::pair<std::string, const RougeScore*>> levels = {
          {"low", &ours.low}, {"mid", &ours.mid}, {"high", &ours.high}};
      for (const auto& [level, score] : levels) {
        const std::string where = setting + " bootstrap " + type + " " + level;
        expect_close(score->precision, expected.at(level).at("precision"), where + " precision");
        expect_close(score->recall, expected.at(level).at("recall"), where + " recall");
        expect_close(score->fmeasure, expected.at(level).at("fmeasure"), where + " fmeasure");
      }
      expect_close(ours.mid.fmeasure, bootstrap.at("hf_evaluate_use_aggregator_true").at(type),
                   setting + " HF evaluate " + type);
    }
  }
}

// The dataset's questions in file order, walking data → paragraphs → qas as the scripts do.
std::vector<SquadGold> read_golds(const std::string& path) {
  std::vector<SquadGold> golds;
  const auto dataset = read_json<Json>(path);
  for (const auto& article : dataset.at("data")) {
    for (const auto& paragraph : article.at("paragraphs")) {
      for (const auto& qa : paragraph.at("qas")) {
        SquadGold gold{qa.at("id").get<std::string>(), {}};
        for (const auto& a : qa.at("answers")) gold.answers.push_back(a.at("text"));
        golds.push_back(std::move(gold));
      }
    }
  }
  return golds;
}

std::map<std::string, std::string> read_predictions(const std::string& path) {
  return read_json<Json>(path).get<std::map<std::string, std::string>>();
}

TEST(SquadGoldenTest, V1EveryQuestionAndAggregate) {
  ADALORA_REQUIRE_GOLDEN("metrics/squad_v1");
  const std::string dir = golden_path("metrics/squad_v1/");
  const auto expected = read_json<Json>(dir + "expected.json");
  const auto golds = read_golds(dir + "dataset.json");
  const auto predictions = read_predictions(dir + "predictions.json");
  ASSERT_EQ(golds.size(), expected.at("total_questions").get<size_t>());
  for (size_t i = 0; i < golds.size(); ++i) {
    EXPECT_EQ(golds[i].id, expected.at("question_order")[i].get<std::string>());
  }
  for (const auto& [id, q] : expected.at("per_question").items()) {
    for (const auto& gold : q.at("per_gold")) {
      if (q.at("missing").get<bool>()) break;
      const std::string prediction = q.at("prediction");
      const std::string answer = gold.at("gold");
      EXPECT_EQ(squad_v1_exact(prediction, answer), gold.at("em").get<int>() == 1)
          << id << " EM of \"" << prediction << "\" vs \"" << answer << "\"";
      expect_close(squad_v1_f1(prediction, answer), gold.at("f1"), id + " F1 vs " + answer);
    }
    const auto normalized = q.at("normalized_golds").get<std::vector<std::string>>();
    const auto answers = q.at("golds").get<std::vector<std::string>>();
    for (size_t k = 0; k < answers.size(); ++k) {
      EXPECT_EQ(normalize_squad_answer(answers[k]), normalized[k]) << id << " gold " << answers[k];
    }
    if (!q.at("prediction").is_null()) {
      EXPECT_EQ(normalize_squad_answer(q.at("prediction").get<std::string>()),
                q.at("normalized_prediction").get<std::string>())
          << id << " prediction";
    }
  }
  const auto result = evaluate_squad_v1(golds, predictions);
  expect_close(result.exact_match, expected.at("aggregate").at("exact_match"), "v1 exact_match");
  expect_close(result.f1, expected.at("aggregate").at("f1"), "v1 f1");
  std::vector<std::string> notes;
  for (const auto& id : result.missing_ids) {
    notes.push_back("Unanswered question " + id + " will receive score 0.");
  }
  EXPECT_EQ(notes, expected.at("stderr_lines").get<std::vector<std::string>>());
}

// `--na-prob-thresh X` and `--na-prob-file` of a run's command line.
struct RunOptions {
  bool with_na_probs = false;
  double thresh = 1.0;
};
RunOptions parse_run(const std::string& command) {
  RunOptions options;
  std::istringstream words(command);
  std::string word;
  while (words >> word) {
    if (word == "--na-prob-file") options.with_na_probs = true;
    if (word == "--na-prob-thresh") words >> options.thresh;
  }
  return options;
}

TEST(SquadGoldenTest, V2EveryQuestionAndEveryRun) {
  ADALORA_REQUIRE_GOLDEN("metrics/squad_v2");
  const std::string dir = golden_path("metrics/squad_v2/");
  const auto expected = read_json<Json>(dir + "expected.json");
  const auto golds = read_golds(dir + "dataset.json");
  const auto predictions = read_predictions(dir + "predictions.json");
  NaProbs na_probs;
  const auto na_probs_json = read_json<OrderedJson>(dir + "na_probs.json");
  for (const auto& [id, p] : na_probs_json.items()) {
    na_probs.emplace_back(id, p.get<double>());
  }
  for (const auto& [id, q] : expected.at("per_question").items()) {
    const auto answers = q.at("golds").get<std::vector<std::string>>();
    EXPECT_EQ(squad_v2_golds_used(answers), q.at("gold_answers_used").get<std::vector<std::string>>()) << id;
    const std::string prediction = q.at("prediction");
    EXPECT_EQ(normalize_squad_answer(prediction), q.at("normalized_prediction").get<std::string>()) << id;
    for (const auto& gold : q.at("per_gold")) {
      const std::string answer = gold.at("gold");
      EXPECT_EQ(squad_v2_exact(answer, prediction), gold.at("exact").get<int>())
          << id << " exact of \"" << prediction << "\" vs \"" << answer << "\"";
      expect_close(squad_v2_f1(answer, prediction), gold.at("f1"), id + " F1 vs " + answer);
    }
  }
  ASSERT_FALSE(expected.at("runs").empty());
  for (const auto& [name, run] : expected.at("runs").items()) {
    const RunOptions options = parse_run(expected.at("run_commands").at(name));
    const auto result = evaluate_squad_v2(
        golds, predictions, options.with_na_probs ? std::optional<NaProbs>(na_probs) : std::nullopt,
        options.thresh);
    const auto ours = result.to_map();
    EXPECT_EQ(ours.size(), run.size()) << name << ": the same keys as the script";
    for (const auto& [key, value] : run.items()) {
      ASSERT_TRUE(ours.count(key)) << name << ": missing key " << key;
      expect_close(ours.at(key), value.get<double>(), name + " " + key);
    }
  }
}

}  // namespace
}  // namespace adalora::metrics
