// GLUE TSV readers on the fixtures in tests/fixtures/glue (real rows in each task's layout).
#include "adalora/data/glue.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

std::string fixture(const std::string& name) {
  return std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/" + name;
}

// Runs `read_glue_tsv` and returns the adalora::Error message ("" if none was thrown).
std::string read_error(const std::string& file, const std::string& task) {
  try {
    read_glue_tsv(fixture(file), task);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(GlueTest, ColaTrainHasNoHeader) {
  const Dataset d = read_glue_tsv(fixture("CoLA/train.tsv"), "cola");
  ASSERT_EQ(d.examples.size(), 4u);
  EXPECT_TRUE(d.has_labels);
  EXPECT_FALSE(d.is_regression);
  EXPECT_EQ(d.label_names, (std::vector<std::string>{"unacceptable", "acceptable"}));
  EXPECT_EQ(d.examples[0].text,
            "Our friends won't buy this analysis, let alone the next one we propose.");
  EXPECT_FALSE(d.examples[0].text_pair.has_value());
  EXPECT_EQ(d.examples[0].label, 1);
  EXPECT_EQ(d.examples[2].label, 0);
  EXPECT_EQ(d.examples[2].line, 3);
  // A lone quote stays literal: quoting is disabled, as in HF datasets.
  EXPECT_EQ(d.examples[3].text, "The more we study verbs, the crazier they get \"the.");
}

TEST(GlueTest, ColaTestHasHeaderAndNoLabels) {
  const Dataset d = read_glue_tsv(fixture("CoLA/test.tsv"), "cola");
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_FALSE(d.has_labels);
  EXPECT_FALSE(d.examples[1].has_label);
  EXPECT_EQ(d.examples[1].text, "The car honked its way down the road.");
  EXPECT_EQ(d.examples[1].line, 3);
}

TEST(GlueTest, Sst2KeepsTrailingSpacesAndQuotes) {
  const Dataset d = read_glue_tsv(fixture("SST-2/dev.tsv"), "sst2");
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_EQ(d.examples[0].text, "it 's a charming and often affecting journey . ");
  EXPECT_EQ(d.examples[1].label, 0);
  EXPECT_EQ(d.examples[2].text, "\" the emotions are raw \"");
  EXPECT_FALSE(read_glue_tsv(fixture("SST-2/test.tsv"), "sst2").has_labels);
}

TEST(GlueTest, MrpcWithByteOrderMarkAndCrlf) {
  const Dataset d = read_glue_tsv(fixture("MRPC/dev.tsv"), "mrpc");
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[0].label, 1);
  EXPECT_EQ(d.examples[1].label, 0);
  ASSERT_TRUE(d.examples[0].text_pair.has_value());
  EXPECT_EQ(*d.examples[0].text_pair,
            "\" The foodservice pie business does not fit our long-term growth strategy .");
  EXPECT_EQ(d.examples[1].text_pair->back(), '.');  // no '\r' left over
}

TEST(GlueTest, QqpSelectsQuestionColumnsByName) {
  const Dataset d = read_glue_tsv(fixture("QQP/dev.tsv"), "qqp");
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_EQ(d.examples[2].text, "Is there a reason why we should travel alone?");
  EXPECT_EQ(*d.examples[2].text_pair, "What are some reasons to travel alone?");
  EXPECT_EQ(d.examples[2].label, 1);
  const Dataset test = read_glue_tsv(fixture("QQP/test.tsv"), "qqp");
  EXPECT_FALSE(test.has_labels);
  EXPECT_EQ(*test.examples[0].text_pair,
            "Why did Microsoft choose core m3 and not core i3 home Surface Pro 4?");
}

TEST(GlueTest, StsbIsRegression) {
  const Dataset d = read_glue_tsv(fixture("STS-B/dev.tsv"), "stsb");
  EXPECT_TRUE(d.is_regression);
  EXPECT_TRUE(d.label_names.empty());
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_DOUBLE_EQ(d.examples[0].target, 5.0);
  EXPECT_DOUBLE_EQ(d.examples[1].target, 4.75);
  EXPECT_DOUBLE_EQ(d.examples[2].target, 0.5);
  EXPECT_EQ(*d.examples[1].text_pair, "A child is riding a horse.");
  EXPECT_FALSE(read_glue_tsv(fixture("STS-B/test.tsv"), "stsb").has_labels);
}

TEST(GlueTest, MnliUsesGoldLabelInHfOrder) {
  // HF datasets' ClassLabel order: entailment 0, neutral 1, contradiction 2.
  const Dataset m = read_glue_tsv(fixture("MNLI/dev_matched.tsv"), "mnli");
  ASSERT_EQ(m.examples.size(), 3u);
  EXPECT_EQ(m.examples[0].label, 1);
  EXPECT_EQ(m.examples[1].label, 2);
  EXPECT_EQ(m.examples[2].label, 0);
  EXPECT_EQ(m.examples[0].text, "The new rights are nice enough");
  EXPECT_EQ(*m.examples[0].text_pair, "Everyone really likes the newest benefits ");
  EXPECT_EQ(read_glue_tsv(fixture("MNLI/dev_mismatched.tsv"), "mnli").examples[0].label, 2);
  EXPECT_FALSE(read_glue_tsv(fixture("MNLI/test_matched.tsv"), "mnli").has_labels);
}

TEST(GlueTest, QnliAndRteStringLabels) {
  const Dataset q = read_glue_tsv(fixture("QNLI/dev.tsv"), "qnli");
  EXPECT_EQ(q.examples[0].label, 0);
  EXPECT_EQ(q.examples[1].label, 1);
  EXPECT_EQ(q.examples[1].text, "What is the first major city in the stream of the Rhine?");
  const Dataset r = read_glue_tsv(fixture("RTE/dev.tsv"), "rte");
  EXPECT_EQ(r.examples[0].label, 1);
  EXPECT_EQ(r.examples[1].label, 0);
  EXPECT_EQ(r.examples[1].text,
            "\"Yet, we now are discovering that antibiotics are losing their effectiveness");
  EXPECT_FALSE(read_glue_tsv(fixture("RTE/test.tsv"), "rte").has_labels);
}

TEST(GlueTest, MalformedRowNamesFileAndLine) {
  EXPECT_EQ(read_error("malformed/rte_missing_field.tsv", "rte"),
            fixture("malformed/rte_missing_field.tsv") +
                ":3: row: expected 4 tab-separated fields (as in the header), got 3");
}

TEST(GlueTest, UnknownLabelNamesTheColumnAndChoices) {
  EXPECT_EQ(read_error("malformed/mnli_bad_label.tsv", "mnli"),
            fixture("malformed/mnli_bad_label.tsv") +
                ":3: gold_label: expected one of entailment, neutral, contradiction or an id in "
                "[0, 3), got \"-\"");
  EXPECT_EQ(read_error("malformed/stsb_bad_score.tsv", "stsb"),
            fixture("malformed/stsb_bad_score.tsv") + ":2: score: expected a number, got \"high\"");
}

TEST(GlueTest, WrongHeaderAndWrongTask) {
  EXPECT_EQ(read_error("malformed/sst2_wrong_header.tsv", "sst2"),
            fixture("malformed/sst2_wrong_header.tsv") +
                ":1: header: expected a column \"sentence\" (GLUE sst2 layout), got columns text, "
                "label");
  // An MNLI file read as RTE: its header has sentence1/sentence2 but no "label" → unlabelled,
  // while a QNLI file read as RTE lacks sentence1.
  EXPECT_EQ(read_error("QNLI/dev.tsv", "rte"),
            fixture("QNLI/dev.tsv") +
                ":1: header: expected a column \"sentence1\" (GLUE rte layout), got columns index, "
                "question, sentence, label");
  EXPECT_EQ(
      read_error("SST-2/dev.tsv", "wnli"),
      "glue: task: expected one of cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, got \"wnli\"");
  EXPECT_NE(read_error("does/not/exist.tsv", "rte").find("expected a readable file"),
            std::string::npos);
}

}  // namespace
}  // namespace adalora::data
