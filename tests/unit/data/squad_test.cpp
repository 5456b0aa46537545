// SQuAD readers: both layouts, code-point answer_start, and every bad-input message.
#include "adalora/data/squad.h"

#include <gtest/gtest.h>

#include <fstream>

#include "adalora/core/error.h"
#include "tests/support/golden.h"

namespace adalora::data {
namespace {

using adalora::testing::TempDir;

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name), std::ios::binary) << text;
  return dir.file(name);
}

std::string official(const std::string& qas, const std::string& context = "Caf\xC3\xA9 Paris is big.") {
  return R"({"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": ")" + context +
         R"(", "qas": [)" + qas + "]}]}]}";
}

void expect_error(const std::string& path, const std::string& fragment) {
  try {
    read_squad_file(path);
    FAIL() << "expected an error containing: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(SquadDataTest, ReadsOfficialJsonWithCodePointOffsets) {
  TempDir dir;
  // "Café " is 5 code points (6 bytes): Paris starts at 5.
  const auto path = write(dir, "dev.json", official(
      R"({"id": "q1", "question": "Where?", "answers": [{"text": "Paris", "answer_start": 5}]},
         {"id": "q2", "question": "Why?", "answers": [], "is_impossible": true,
          "plausible_answers": [{"text": "big", "answer_start": 0}]})"));
  const SquadDataset d = read_squad_file(path);
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[0].answers[0].text, "Paris");
  EXPECT_EQ(d.examples[0].title, "T");
  EXPECT_TRUE(d.examples[1].is_impossible);
  EXPECT_TRUE(d.examples[1].answers.empty());
}

TEST(SquadDataTest, ReadsJsonlWithEitherAnswerForm) {
  TempDir dir;
  const auto path = write(dir, "train.jsonl",
      R"({"id": "a", "context": "one two", "question": "q", "answers": [{"text": "two", "answer_start": 4}]})"
      "\n\n"
      R"({"id": "b", "context": "one two", "question": "q", "answers": {"text": ["one"], "answer_start": [0]}})"
      "\n");
  const SquadDataset d = read_squad_file(path);
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[1].answers[0].text, "one");
}

TEST(SquadDataTest, BadInputNamesFileQuestionAndField) {
  TempDir dir;
  expect_error(write(dir, "a.json", official(
                   R"({"id": "q1", "question": "?", "answers": [{"text": "Paris", "answer_start": 6}]})")),
               "a.json: question \"q1\": answers[0].answer_start: expected the position of \"Paris\"");
  expect_error(write(dir, "b.json", official(
                   R"({"id": "q1", "question": "?", "answers": []}, {"id": "q1", "question": "?", "answers": []})")),
               "b.json: question \"q1\": id: expected a unique id");
  expect_error(write(dir, "c.json", official(R"({"id": "q1", "question": "?", "answers": []})", "")),
               "c.json: question \"q1\": context: expected a non-empty text");
  expect_error(write(dir, "d.jsonl", "{\"id\": \"x\", \"question\": \"?\", \"answers\": []}\n"),
               "d.jsonl:1: context");
  expect_error(write(dir, "e.json", official(
                   R"({"id": "q1", "question": "?", "answers": [{"text": "big", "answer_start": 99}]})")),
               "outside the context");
}

TEST(SquadDataTest, GoldenScorerDatasetsAreValid) {
  ADALORA_REQUIRE_GOLDEN("metrics/squad_v2");
  EXPECT_EQ(read_squad_file(adalora::testing::golden_path("metrics/squad_v1/dataset.json")).examples.size(), 51u);
  EXPECT_EQ(read_squad_file(adalora::testing::golden_path("metrics/squad_v2/dataset.json")).examples.size(), 46u);
}

}  // namespace
}  // namespace adalora::data
