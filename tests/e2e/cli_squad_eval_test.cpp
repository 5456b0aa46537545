// `adalora eval --task squad|squad_v2 --predictions FILE --data FILE`: scoring without a model,
// against the official scripts' aggregates (../shared/golden/metrics) and on bad input (exit 2
// with a message naming the file and the ids).
#include <gtest/gtest.h>

#include <fstream>

#include "adalora/io/json.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {

using testing::golden_path;
using testing::last_json_line;
using testing::run_cli;

TEST(CliSquadEval, ScoresV2PredictionsAsTheOfficialScriptGolden) {
  ADALORA_REQUIRE_GOLDEN("metrics/squad_v2");
  const std::string dir = golden_path("metrics/squad_v2/");
  const auto r = run_cli("eval --task squad_v2 --json --predictions " + dir + "predictions.json --data " +
                         dir + "dataset.json --na-probs " + dir + "na_probs.json");
  ASSERT_EQ(r.code, 0) << r.output;
  const io::Json metrics = last_json_line(r.output).at("metrics");
  const io::Json expected = io::load_json_file(dir + "expected.json").at("runs").at("default");
  ASSERT_EQ(metrics.size(), expected.size()) << r.output;
  for (const auto& [key, value] : expected.items()) {
    EXPECT_NEAR(metrics.at(key).get<double>(), value.get<double>(), 1e-9) << key;
  }
}

TEST(CliSquadEval, MissingAndUnknownIdsExitTwoNamingThem) {
  testing::TempDir dir;
  std::ofstream(dir.file("dev.json"))
      << R"({"data": [{"title": "t", "paragraphs": [{"context": "Paris is in France.", "qas": [)"
      << R"({"id": "q1", "question": "?", "answers": [{"text": "Paris", "answer_start": 0}]},)"
      << R"({"id": "q2", "question": "?", "answers": [{"text": "France", "answer_start": 12}]}]}]}]})";
  std::ofstream(dir.file("ok.json")) << R"({"q1": "Paris", "q2": "Spain"})";
  std::ofstream(dir.file("missing.json")) << R"({"q1": "Paris"})";
  std::ofstream(dir.file("unknown.json")) << R"({"q1": "Paris", "q2": "x", "q9": "y"})";
  const std::string data = " --data " + dir.file("dev.json");

  auto r = run_cli("eval --task squad --json --predictions " + dir.file("ok.json") + data);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_DOUBLE_EQ(last_json_line(r.output).at("metrics").at("exact_match").get<double>(), 50.0);

  r = run_cli("eval --task squad --predictions " + dir.file("missing.json") + data);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.json: expected an answer for every question"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("\"q2\""), std::string::npos) << r.output;

  r = run_cli("eval --task squad_v2 --predictions " + dir.file("unknown.json") + data);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("1 unknown: \"q9\""), std::string::npos) << r.output;

  r = run_cli("eval --task glue/rte --predictions " + dir.file("ok.json") + data);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("expected squad or squad_v2"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace adalora
