// Generic JSONL / CSV readers and label vocabularies.
#include "adalora/data/labeled_text.h"

#include <gtest/gtest.h>

#include <fstream>

#include "adalora/core/error.h"
#include "adalora/data/labels.h"

namespace adalora::data {
namespace {

std::string text_fixture(const std::string& name) {
  return std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/generic/" + name;
}

// Writes `content` to a file named `name` in the test temp dir and returns its path.
std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "adalora_data_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string read_error(const std::string& path, bool is_regression,
                       const std::vector<std::string>& names = {}) {
  try {
    read_labeled_file(path, is_regression, names);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LabelsTest, SortedNamesAreNumericForIntegersElseBytewise) {
  EXPECT_EQ(sorted_label_names({"10", "2", "-1", "2"}),
            (std::vector<std::string>{"-1", "2", "10"}));
  EXPECT_EQ(sorted_label_names({"pos", "neg", "Neutral", "pos"}),
            (std::vector<std::string>{"Neutral", "neg", "pos"}));
  EXPECT_EQ(sorted_label_names({"1", "01", "1"}), (std::vector<std::string>{"01", "1"}));
  EXPECT_EQ(parse_integer("1.0"), std::nullopt);
  EXPECT_EQ(parse_integer("-"), std::nullopt);
  EXPECT_EQ(parse_real("4.750"), 4.75);
  EXPECT_EQ(parse_real(" 1"), std::nullopt);
  EXPECT_EQ(parse_real("nan"), std::nullopt);
}

TEST(LabeledTextTest, JsonlFixtureDerivesSortedVocabulary) {
  const Dataset d = read_labeled_file(text_fixture("train.jsonl"), /*is_regression=*/false);
  EXPECT_EQ(d.label_names, (std::vector<std::string>{"negative", "neutral", "positive"}));
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_EQ(d.examples[0].label, 2);
  EXPECT_EQ(d.examples[1].label, 0);
  EXPECT_EQ(d.examples[2].label, 1);
  EXPECT_EQ(d.examples[2].line, 4);  // the blank line 3 is skipped but counted
  EXPECT_FALSE(d.examples[2].text_pair.has_value());
}

TEST(LabeledTextTest, CsvFixtureWithQuotesNewlinesAndGivenVocabulary) {
  const Dataset d = read_labeled_file(text_fixture("dev.csv"), false, {"negative", "positive"});
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[0].text, "Hello, world");
  EXPECT_EQ(*d.examples[0].text_pair, "Hi, \"world\"");
  EXPECT_EQ(d.examples[0].label, 1);
  EXPECT_EQ(d.examples[1].text, "multi\r\nline text");
  EXPECT_FALSE(d.examples[1].text_pair.has_value());
  EXPECT_EQ(d.examples[1].label, 0);
  EXPECT_EQ(d.examples[1].line, 3);
}

TEST(LabeledTextTest, JsonlIntegerAndRegressionLabels) {
  const std::string ints = write_temp("ints.jsonl",
                                      "{\"text\": \"a\", \"label\": 10}\n"
                                      "{\"text\": \"b\", \"label\": 2.0}\n"
                                      "{\"text\": \"c\", \"label\": \"2\"}\n");
  const Dataset d = read_labeled_file(ints, false);
  EXPECT_EQ(d.label_names, (std::vector<std::string>{"2", "10"}));
  EXPECT_EQ(d.examples[0].label, 1);
  EXPECT_EQ(d.examples[1].label, 0);
  EXPECT_EQ(d.examples[2].label, 0);

  const std::string reals =
      write_temp("reals.jsonl",
                 "{\"text\": \"a\", \"text_pair\": \"b\", \"label\": 0.1}\n"
                 "{\"text\": \"c\", \"text_pair\": \"d\", \"label\": \"3.5\"}\n");
  const Dataset r = read_labeled_file(reals, /*is_regression=*/true);
  EXPECT_TRUE(r.is_regression);
  EXPECT_EQ(r.examples[0].target, 0.1);
  EXPECT_EQ(r.examples[1].target, 3.5);
  EXPECT_EQ(*r.examples[1].text_pair, "d");
}

TEST(LabeledTextTest, UnlabelledFileForPrediction) {
  const Dataset d = read_labeled_file(write_temp("predict.jsonl", "{\"text\": \"a\"}\n"), false);
  EXPECT_FALSE(d.has_labels);
  EXPECT_FALSE(d.examples[0].has_label);
}

TEST(LabeledTextTest, JsonlErrorsNameFileLineAndField) {
  const std::string bad_json =
      write_temp("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \n");
  EXPECT_EQ(
      read_error(bad_json, false)
          .rfind(bad_json + ":2: row: expected one JSON object per line, got invalid JSON", 0),
      0u);
  // A number beyond double (nlohmann's out_of_range, as fuzz/regressions/json/) is an Error too.
  const std::string overflow = write_temp("overflow.jsonl", "{\"text\": \"a\", \"label\": 1e400}\n");
  EXPECT_EQ(read_error(overflow, true)
                .rfind(overflow + ":1: row: expected one JSON object per line, got invalid JSON", 0),
            0u);
  const std::string no_text = write_temp("no_text.jsonl", "{\"sentence\": \"a\"}\n");
  EXPECT_EQ(read_error(no_text, false),
            no_text + ":1: text: expected a string, got no \"text\" key");
  const std::string array = write_temp("array.jsonl", "[1, 2]\n");
  EXPECT_EQ(read_error(array, false), array + ":1: row: expected a JSON object, got array");
  const std::string fraction = write_temp("fraction.jsonl", "{\"text\": \"a\", \"label\": 0.5}\n");
  EXPECT_EQ(read_error(fraction, false),
            fraction + ":1: label: expected a string or an integer class, got 0.5");
  const std::string mixed =
      write_temp("mixed.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\"}\n");
  EXPECT_EQ(
      read_error(mixed, false),
      mixed + ":2: label: expected a label (all rows or none carry one; line 1 does), got none");
  const std::string word = write_temp("word.jsonl", "{\"text\": \"a\", \"label\": \"high\"}\n");
  EXPECT_EQ(read_error(word, true),
            word + ":1: label: expected a number (regression), got \"high\"");
}

TEST(LabeledTextTest, UnknownLabelAgainstGivenVocabulary) {
  const std::string dev = write_temp("dev.jsonl", "{\"text\": \"a\", \"label\": \"maybe\"}\n");
  EXPECT_EQ(read_error(dev, false, {"no", "yes"}),
            dev + ":1: label: expected one of no, yes, got \"maybe\"");
}

TEST(LabeledTextTest, CsvErrors) {
  const std::string short_row = write_temp("short.csv", "text,label\nhello,1\nworld\n");
  EXPECT_EQ(read_error(short_row, false),
            short_row + ":3: row: expected 2 comma-separated fields (as in the header), got 1");
  const std::string unterminated = write_temp("open.csv", "text,label\n\"hello,1\n");
  EXPECT_EQ(read_error(unterminated, false),
            unterminated + ":2: field: expected a closing quote, got end of file");
  const std::string stray = write_temp("stray.csv", "text,label\n\"hello\"x,1\n");
  EXPECT_EQ(read_error(stray, false),
            stray + ":2: field: expected a comma or line end after a closing quote, got 'x'");
  const std::string header = write_temp("header.csv", "sentence,label\nhello,1\n");
  EXPECT_EQ(read_error(header, false),
            header +
                ":1: header: expected a column \"text\" (optional: text_pair, label), got "
                "columns sentence, label");
  const std::string txt = write_temp("data.txt", "hello\n");
  EXPECT_EQ(
      read_error(txt, false),
      txt + ": file extension: expected .jsonl, .json or .csv, got \"adalora_data_data.txt\"");
}

}  // namespace
}  // namespace adalora::data
