// The task table (see registry.h for the metric choices and their sources).
#include "adalora/tasks/registry.h"

#include <algorithm>
#include <set>

#include "adalora/core/error.h"
#include "adalora/data/glue.h"
#include "adalora/data/text_table.h"

namespace adalora::tasks {
namespace {

// A GLUE row: text columns and label names come from data/glue.cpp's layout table.
TaskSpec glue(const std::string& task, const std::string& subdir, std::vector<std::string> metrics,
              const std::string& primary,
              std::vector<EvalSplit> eval_splits = {{"dev", "dev.tsv"}}) {
  const data::GlueLayout& layout = data::glue_layout(task);
  TaskSpec spec;
  spec.name = "glue/" + task;
  spec.format = DataFormat::GlueTsv;
  spec.glue_task = task;
  spec.data_subdir = subdir;
  spec.is_regression = layout.label_names.empty();
  spec.num_labels = spec.is_regression ? 1 : static_cast<int64_t>(layout.label_names.size());
  spec.text_column = layout.text_column;
  spec.text_pair_column = layout.text_pair_column;
  spec.label_names = layout.label_names;
  spec.metrics = std::move(metrics);
  spec.primary_metric = primary;
  spec.train_file = "train.tsv";
  spec.eval_splits = std::move(eval_splits);
  return spec;
}

TaskSpec labeled_text(const std::string& name, bool is_regression, std::vector<std::string> metrics,
                      const std::string& primary) {
  TaskSpec spec;
  spec.name = name;
  spec.format = DataFormat::LabeledText;
  spec.is_regression = is_regression;
  spec.num_labels = is_regression ? 1 : 0;
  spec.text_column = "text";
  spec.text_pair_column = "text_pair";
  spec.metrics = std::move(metrics);
  spec.primary_metric = primary;
  spec.eval_splits = {{"dev", ""}};
  return spec;
}

// A generative row (causal LM or seq2seq): JSONL / CSV read by the family's training pipeline;
// `source`/`target` are the default columns (causal LM: "text", its alternative prompt +
// completion is the pipeline's).
TaskSpec generative(const std::string& name, TaskFamily family, const std::string& source,
                    const std::string& target, std::vector<std::string> metrics,
                    const std::string& primary) {
  TaskSpec spec;
  spec.name = name;
  spec.family = family;
  spec.format = DataFormat::TextRecords;
  spec.text_column = source;
  spec.text_pair_column = target;
  spec.metrics = std::move(metrics);
  spec.primary_metric = primary;
  spec.eval_splits = {{"dev", ""}};
  return spec;
}

const std::vector<std::string> kSummarizationMetrics = {"loss",   "rouge1",    "rouge2",
                                                        "rougeL", "rougeLsum", "gen_len"};

// A SQuAD row: the official file names; metrics are the official scripts' keys (v2.0: HasAns_* /
// NoAns_* when the dev set has such questions), F1 picks the best checkpoint as in the paper.
TaskSpec squad(const std::string& name, bool v2) {
  TaskSpec spec;
  spec.name = name;
  spec.family = TaskFamily::QuestionAnswering;
  spec.format = DataFormat::Squad;
  spec.text_column = "question";
  spec.text_pair_column = "context";
  spec.metrics = v2 ? std::vector<std::string>{"exact", "f1", "HasAns_exact", "HasAns_f1",
                                               "NoAns_exact", "NoAns_f1"}
                    : std::vector<std::string>{"exact_match", "f1"};
  spec.primary_metric = "f1";
  spec.train_file = v2 ? "train-v2.0.json" : "train-v1.1.json";
  spec.eval_splits = {{"dev", v2 ? "dev-v2.0.json" : "dev-v1.1.json"}};
  spec.version_2_with_negative = v2;
  return spec;
}

std::vector<TaskSpec> build_table() {
  std::vector<TaskSpec> table = {
      // name     GLUE folder  metrics                                   primary
      glue("cola", "CoLA", {"matthews_correlation"}, "matthews_correlation"),
      glue("sst2", "SST-2", {"accuracy"}, "accuracy"),
      glue("mrpc", "MRPC", {"accuracy", "f1"}, "accuracy"),
      glue("qqp", "QQP", {"accuracy", "f1"}, "accuracy"),
      glue("stsb", "STS-B", {"corr", "pearson", "spearmanr"}, "corr"),
      glue("mnli", "MNLI", {"accuracy"}, "accuracy",
           {{"mnli-m", "dev_matched.tsv"}, {"mnli-mm", "dev_mismatched.tsv"}}),
      glue("qnli", "QNLI", {"accuracy"}, "accuracy"),
      glue("rte", "RTE", {"accuracy"}, "accuracy"),
      labeled_text("classification", false, {"accuracy", "macro_f1"}, "accuracy"),
      labeled_text("regression", true, {"corr", "pearson", "spearmanr"}, "corr"),
      generative("causal_lm", TaskFamily::CausalLM, "text", "", {"loss", "perplexity"}, "loss"),
      generative("seq2seq", TaskFamily::Seq2Seq, "document", "summary", kSummarizationMetrics, "rougeL"),
      generative("summarization", TaskFamily::Seq2Seq, "document", "summary", kSummarizationMetrics, "rougeL"),
      generative("summarization/xsum", TaskFamily::Seq2Seq, "document", "summary", kSummarizationMetrics, "rougeL"),
      generative("summarization/cnn_dailymail", TaskFamily::Seq2Seq, "article", "highlights",
                 kSummarizationMetrics, "rougeL"),
      squad("squad", /*v2=*/false),
      squad("squad_v2", /*v2=*/true),
  };
  std::set<std::string> names;
  for (const auto& spec : table) {
    ADALORA_CHECK(names.insert(spec.name).second, "tasks: registry: expected unique names, got \"",
                  spec.name, "\" twice");
    ADALORA_CHECK(std::find(spec.metrics.begin(), spec.metrics.end(), spec.primary_metric) !=
                      spec.metrics.end(),
                  "tasks: ", spec.name, ": primary_metric: expected one of ",
                  data::join_names(spec.metrics), ", got \"", spec.primary_metric, "\"");
    ADALORA_CHECK(!spec.eval_splits.empty(), "tasks: ", spec.name,
                  ": eval_splits: expected at least one, got none");
  }
  return table;
}

}  // namespace

const std::vector<TaskSpec>& task_specs() {
  static const std::vector<TaskSpec> kTasks = build_table();
  return kTasks;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const auto& spec : task_specs()) names.push_back(spec.name);
  return names;
}

const TaskSpec& find_task(const std::string& name) {
  for (const auto& spec : task_specs()) {
    if (spec.name == name) return spec;
  }
  throw Error(
      str_cat("task: expected one of ", data::join_names(task_names()), ", got \"", name, "\""));
}

}  // namespace adalora::tasks
