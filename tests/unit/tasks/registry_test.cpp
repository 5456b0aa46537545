// The task table: names, label counts, metric choices, and reading each GLUE dev split fixture.
#include "adalora/tasks/registry.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::tasks {
namespace {

TEST(TaskRegistryTest, KnowsTheEightGlueTasksAndTheGenericFormats) {
  EXPECT_EQ(task_names(),
            (std::vector<std::string>{"glue/cola", "glue/sst2", "glue/mrpc", "glue/qqp",
                                      "glue/stsb", "glue/mnli", "glue/qnli", "glue/rte",
                                      "classification", "regression", "causal_lm", "seq2seq",
                                      "summarization", "summarization/xsum",
                                      "summarization/cnn_dailymail", "squad", "squad_v2"}));
}

TEST(TaskRegistryTest, UnknownNameListsKnownOnes) {
  try {
    find_task("glue/wnli");
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "task: expected one of glue/cola, glue/sst2, glue/mrpc, glue/qqp, glue/stsb, "
                 "glue/mnli, glue/qnli, glue/rte, classification, regression, causal_lm, seq2seq, "
                 "summarization, summarization/xsum, summarization/cnn_dailymail, squad, squad_v2, "
                 "got \"glue/wnli\"");
  }
}

TEST(TaskRegistryTest, MetricChoicesFollowThePaper) {
  EXPECT_EQ(find_task("glue/cola").primary_metric, "matthews_correlation");
  EXPECT_EQ(find_task("glue/mrpc").metrics, (std::vector<std::string>{"accuracy", "f1"}));
  EXPECT_EQ(find_task("glue/mrpc").primary_metric, "accuracy");
  EXPECT_EQ(find_task("glue/qqp").primary_metric, "accuracy");
  EXPECT_EQ(find_task("glue/stsb").primary_metric, "corr");
  EXPECT_TRUE(find_task("glue/stsb").is_regression);
  EXPECT_EQ(find_task("glue/stsb").num_labels, 1);
  const TaskSpec& mnli = find_task("glue/mnli");
  EXPECT_EQ(mnli.num_labels, 3);
  ASSERT_EQ(mnli.eval_splits.size(), 2u);
  EXPECT_EQ(mnli.eval_splits[0].name, "mnli-m");
  EXPECT_EQ(mnli.eval_splits[0].file, "dev_matched.tsv");
  EXPECT_EQ(mnli.eval_splits[1].name, "mnli-mm");
  EXPECT_EQ(mnli.eval_splits[1].file, "dev_mismatched.tsv");
  EXPECT_EQ(find_task("classification").num_labels, 0);
  EXPECT_EQ(find_task("regression").primary_metric, "corr");
  EXPECT_EQ(find_task("causal_lm").family, TaskFamily::CausalLM);
  EXPECT_EQ(find_task("causal_lm").primary_metric, "loss");
  const TaskSpec& cnn = find_task("summarization/cnn_dailymail");
  EXPECT_EQ(cnn.family, TaskFamily::Seq2Seq);
  EXPECT_EQ(cnn.text_column, "article");
  EXPECT_EQ(cnn.text_pair_column, "highlights");
  EXPECT_EQ(find_task("summarization/xsum").text_column, "document");
  EXPECT_EQ(find_task("summarization/xsum").text_pair_column, "summary");
  EXPECT_EQ(cnn.primary_metric, "rougeL");
  EXPECT_EQ(find_task("squad").family, TaskFamily::QuestionAnswering);
  EXPECT_EQ(find_task("squad").metrics, (std::vector<std::string>{"exact_match", "f1"}));
  EXPECT_EQ(find_task("squad_v2").primary_metric, "f1");
  EXPECT_TRUE(find_task("squad_v2").version_2_with_negative);
  EXPECT_FALSE(find_task("squad").version_2_with_negative);
  EXPECT_EQ(find_task("squad_v2").eval_splits[0].file, "dev-v2.0.json");
}

TEST(TaskRegistryTest, EveryGlueDevSplitFixtureReads) {
  // tests/fixtures/glue mirrors glue_data/<TASK>/<file>.
  const std::string root = std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/";
  for (const auto& spec : task_specs()) {
    if (spec.format != DataFormat::GlueTsv) continue;
    for (const auto& split : spec.eval_splits) {
      SCOPED_TRACE(spec.name + " " + split.name);
      const data::Dataset d = read_task_file(spec, root + spec.data_subdir + "/" + split.file);
      EXPECT_TRUE(d.has_labels);
      EXPECT_FALSE(d.examples.empty());
      EXPECT_EQ(d.is_regression, spec.is_regression);
      EXPECT_EQ(static_cast<int64_t>(d.label_names.size()),
                spec.is_regression ? 0 : spec.num_labels);
      EXPECT_EQ(d.examples[0].text_pair.has_value(), !spec.text_pair_column.empty());
    }
  }
}

TEST(TaskRegistryTest, GenericClassificationReadsJsonlAndCsv) {
  const std::string root = std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/glue/generic/";
  const TaskSpec& spec = find_task("classification");
  const data::Dataset train = read_task_file(spec, root + "train.jsonl");
  EXPECT_EQ(train.label_names, (std::vector<std::string>{"negative", "neutral", "positive"}));
  const data::Dataset dev = read_task_file(spec, root + "dev.csv", train.label_names);
  EXPECT_EQ(dev.examples[0].label, 2);
  EXPECT_EQ(dev.examples[1].label, 0);
}

}  // namespace
}  // namespace adalora::tasks
