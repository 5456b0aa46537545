// What a fine-tuning task is: where its text and labels come from, how many labels, which
// metrics are reported and which one picks the best checkpoint.
//
// A task is data (an aggregate), not a class hierarchy: the GLUE rows and the generic formats
// differ only in their fields (tasks/registry.cpp holds the table). Mirrors the per-task
// constants of HF `run_glue.py` (`task_to_keys`, `is_regression`, the `evaluate` GLUE metric)
// and the paper's Table 1 / Table 6 metric choices. Tokenisation and collation are not here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adalora/data/example.h"

namespace adalora::tasks {

/// How a task's files are read.
enum class DataFormat {
  GlueTsv,      ///< official GLUE TSV (data/glue.h)
  LabeledText,  ///< the user's JSONL / CSV with text, text_pair, label (data/labeled_text.h)
  TextRecords,  ///< JSONL / CSV with named text columns, read by the family's pipeline (data/text_records.h)
  Squad,        ///< SQuAD JSON / JSONL (data/squad.h), read by the QA pipeline, not read_task_file
};

/// What kind of problem a task is; selects the training pipeline (train/task_pipeline.h).
enum class TaskFamily {
  Classification,     ///< one label (or a real number) per text or text pair
  QuestionAnswering,  ///< an answer span in a context (SQuAD)
  CausalLM,           ///< continue a prompt (decoder-only models)
  Seq2Seq,            ///< source text → target text (encoder-decoder models, summarization)
};

/// One evaluation split: the name its metrics are reported under and its file.
struct EvalSplit {
  std::string name;  ///< "dev", or "mnli-m" / "mnli-mm"
  std::string file;  ///< file name inside the task's data folder; "" = given by the user
};

/// Everything the trainer needs to know about a task besides the model.
struct TaskSpec {
  std::string name;  ///< registry key: "glue/mnli", "classification", …
  TaskFamily family = TaskFamily::Classification;
  DataFormat format = DataFormat::GlueTsv;
  std::string glue_task;                 ///< data::glue_layout key ("mnli"); "" for LabeledText
  std::string data_subdir;               ///< GLUE folder name inside glue_data ("MNLI"); "" else
  int64_t num_labels = 0;                ///< classes; 1 for regression; 0 = from the training data
  bool is_regression = false;            ///< targets are real numbers (MSE loss)
  std::string text_column;               ///< column of the first segment (for messages and docs)
  std::string text_pair_column;          ///< column of the second segment; "" if single sentence
  std::vector<std::string> label_names;  ///< fixed class names in id order; empty = from data
  std::vector<std::string> metrics;      ///< metrics::evaluate_* names reported on every split
  std::string primary_metric;            ///< the one (on the first eval split) that picks the best
  std::string train_file;                ///< "train.tsv"; "" = given by the user
  std::vector<EvalSplit> eval_splits;    ///< dev splits, reported in this order
  bool version_2_with_negative = false;  ///< QA: questions may have no answer (SQuAD v2.0)
};

/// Reads one file of `spec` (train, dev, test or predict). For LabeledText classification,
/// `label_names` fixes the vocabulary (pass the training set's when reading dev); GLUE tasks
/// always use their own names. Throws adalora::Error "<file>:<line>: …" on malformed rows.
data::Dataset read_task_file(const TaskSpec& spec, const std::string& path,
                             const std::vector<std::string>& label_names = {});

}  // namespace adalora::tasks
