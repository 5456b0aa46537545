// What fine_tune needs from a family of tasks, so one training job serves them all: the data
// read and encoded (train/collate.h carries class labels, label sequences or answer spans), the
// model's head and config, and how a split is evaluated.
//
// One implementation per family (classification/regression, question answering, causal LM,
// seq2seq), one row each in train/task_pipeline.cpp's table, chosen by TaskSpec::family.
// The trainer itself is family-agnostic: it sees an EncodedDataset and an evaluator.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adalora/dist/process_group.h"
#include "adalora/io/hf_config.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "adalora/tasks/task.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/train/collate.h"

namespace adalora::train {

struct FineTuneConfig;

class TaskPipeline {
 public:
  virtual ~TaskPipeline() = default;

  /// Reads the training and evaluation files of `config` (paths resolved against data_dir) and
  /// encodes them. Throws Error naming the file and row for bad input.
  virtual void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) = 0;
  virtual const EncodedDataset& train_data() const = 0;

  /// The head the model is built with.
  virtual models::TaskHead head() const = 0;
  /// The HF config the model is built from (e.g. num_labels set for a fresh classifier).
  virtual io::HfConfig model_config(const std::string& model_dir) const = 0;
  /// True when the head is new for this task: a checkpoint's head of another shape is then
  /// re-initialised (HF's ignore_mismatched_sizes) instead of refused.
  virtual bool head_is_fresh() const = 0;

  /// The evaluation splits' names in report order; the first selects the best checkpoint.
  virtual std::vector<std::string> eval_split_names() const = 0;
  /// Metrics of `model` (eval mode, under NoGradGuard) on split `index`. With a process group,
  /// every rank calls it and gets the same numbers.
  virtual std::map<std::string, double> evaluate(models::Model& model, size_t index,
                                                 int64_t batch_size, dist::ProcessGroup* group) = 0;
  /// The metric that selects the best checkpoint, and its direction.
  virtual std::string primary_metric() const = 0;
  virtual bool greater_is_better() const { return true; }

  /// Files `adalora eval` / `predict` need besides the adapter (e.g. labels.json), written by
  /// rank 0 into the run's output folder. Keys added to results.json go into `summary`.
  virtual void write_outputs(const std::string& output_dir) const { (void)output_dir; }
  virtual void summarize(io::Json& summary) const { (void)summary; }
};

/// The pipeline for `spec`'s family. Error when the family has none (naming the task).
std::unique_ptr<TaskPipeline> make_task_pipeline(const tasks::TaskSpec& spec);

/// `file` relative to `dir` unless absolute or dir is empty ("" stays "").
std::string resolve_data_path(const std::string& dir, const std::string& file);

}  // namespace adalora::train
