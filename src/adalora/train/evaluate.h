// Evaluation and prediction of a sequence classifier: encoding a task file, batched logits, the
// task's metrics (shared by `adalora train`'s dev evaluation and `adalora eval`), and the
// inference set-up `adalora eval` / `adalora predict` use: the base model with a head of the
// trained size, the adapter folder (with the trained head among its modules_to_save) loaded on top.
//
// What a training run records for this (written by fine_tune next to results.json):
//   labels.json   {"task": "glue/rte", "problem_type": "single_label_classification",
//                  "label_names": ["entailment", "not_entailment"]}   (id order; [] for regression)
//   results.json  "max_seq_length", "eval_batch_size" (so evaluation repeats the run's batches)
// The head size comes from labels.json, or from the task when its labels are fixed (GLUE), or from
// id2label in the base model's config.json (a PEFT adapter folder has no labels.json).
// Not here: generation, token-level heads.
#pragma once

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adalora/data/example.h"
#include "adalora/dist/process_group.h"
#include "adalora/io/hf_config.h"
#include "adalora/models/model.h"
#include "adalora/peft/method.h"
#include "adalora/tasks/task.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/train/collate.h"

namespace adalora::train {

inline constexpr const char* kLabelsFile = "labels.json";

/// Encodes a dataset with the tokenizer: one segment, or a pair with HF's longest_first
/// truncation, to at most `max_len` tokens; labels / targets copied when the dataset has them.
/// Throws Error "<file>:<line>: …" for a row that encodes to no tokens.
EncodedDataset encode(const data::Dataset& data, const tokenizers::Tokenizer& tok, int64_t max_len);

/// The model's logits for every example, in order, `batch_size` examples per forward pass
/// (dynamic padding as in training): [N, num_labels] (regression: [N, 1]). Call in eval mode; runs
/// under NoGradGuard.
torch::Tensor predict_logits(models::Model& model, const EncodedDataset& data, int64_t batch_size);

/// Predictions of `model` on `data` (argmax, or the value for regression), then the task's metrics.
/// With a process group each rank predicts a contiguous 1/W of the rows and the logits are
/// gathered before the metrics (exact: the metrics of all predictions, not a mean of metrics).
std::map<std::string, double> evaluate_split(models::Model& model, const EncodedDataset& data,
                                             const tasks::TaskSpec& spec, int64_t batch_size,
                                             dist::ProcessGroup* group = nullptr);

/// The HF config of `model_dir` with a sequence-classification head of `num_labels` outputs
/// (id2label/label2id dropped, problem_type set).
io::HfConfig classifier_config(const std::string& model_dir, bool is_regression,
                               int64_t num_labels);

/// labels.json: the task, problem type and label names (id order) of a training run.
struct LabelInfo {
  std::string task;
  bool is_regression = false;
  std::vector<std::string> label_names;  ///< empty for regression
};
void write_labels_json(const std::string& path, const LabelInfo& info);
/// Reads labels.json; Error naming the file and field when malformed.
LabelInfo read_labels_json(const std::string& path);

/// Where a trained classifier lives.
struct InferenceConfig {
  std::string model_dir;    ///< the base model folder the adapter was trained on
  std::string tokenizer;    ///< "" = model_dir
  std::string adapter_dir;  ///< adapter folder, or a training output folder (its adapter/ is used)
  std::string task;         ///< "" = the task recorded in labels.json
  int64_t max_seq_length = 0;  ///< 0 = results.json's, else 128
  int64_t batch_size = 0;      ///< 0 = results.json's eval_batch_size, else 32
  std::string device = "cpu";  ///< cpu, cuda or cuda:N (core/device.h)
};

/// A base model with the trained head and adapter loaded, in eval mode.
struct TrainedClassifier {
  models::ModelPtr model;
  peft::MethodPtr method;
  std::optional<tokenizers::Tokenizer> tokenizer;
  const tasks::TaskSpec* spec = nullptr;
  std::vector<std::string> label_names;  ///< id order; empty for regression
  int64_t max_seq_length = 128;
  int64_t batch_size = 32;
  std::string adapter_dir;  ///< the folder actually loaded
};

/// Builds the classifier of `config`. Throws Error when the head size is unknown (no labels.json
/// and the task's labels come from data), when the adapter does not store the head (it would be
/// random), or when the stored head's shape disagrees with the label count.
TrainedClassifier load_trained_classifier(const InferenceConfig& config);

/// Metrics of `classifier` on its task's dev split(s) ("<split>/<metric>", as results.json).
/// `eval_file` replaces the first split's file; relative files are resolved in `data_dir`.
std::map<std::string, double> evaluate_trained(TrainedClassifier& classifier,
                                               const std::string& data_dir,
                                               const std::string& eval_file);

/// One prediction: the class and its softmax probabilities, or the regression value.
struct Prediction {
  int64_t label = -1;
  std::vector<double> probabilities;
  double value = 0;
};
std::vector<Prediction> predict(TrainedClassifier& classifier, const data::Dataset& data);

}  // namespace adalora::train
