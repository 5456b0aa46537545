// The classification / regression family (GLUE and the user's labelled text): read with the
// task's reader, encode text or text pair, a fresh sequence-classification head of the training
// data's label count, the task's metrics on every dev split, labels.json for eval/predict.
#include <algorithm>

#include "adalora/core/error.h"
#include "adalora/train/evaluate.h"
#include "adalora/train/finetune.h"
#include "adalora/train/task_pipeline.h"

namespace adalora::train {
namespace {

class ClassificationPipeline final : public TaskPipeline {
 public:
  explicit ClassificationPipeline(const tasks::TaskSpec& spec) : spec_(spec) {}

  void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) override {
    const std::string train_path = resolve_data_path(
        config.data_dir, config.train_file.empty() ? spec_.train_file : config.train_file);
    ADALORA_CHECK(!train_path.empty(), "train: train_file: task ", spec_.name, " needs a training file");
    const data::Dataset train = tasks::read_task_file(spec_, train_path);
    ADALORA_CHECK(train.has_labels, train_path, ": expected labelled rows for training");
    label_names_ = train.label_names;
    train_ = encode(train, tokenizer, config.max_seq_length);
    for (size_t i = 0; i < spec_.eval_splits.size(); ++i) {
      std::string file = spec_.eval_splits[i].file;
      if (i == 0 && !config.eval_file.empty()) file = config.eval_file;
      if (file.empty()) continue;
      const data::Dataset d = tasks::read_task_file(
          spec_, resolve_data_path(config.data_dir, file), label_names_);
      eval_.emplace_back(spec_.eval_splits[i].name, encode(d, tokenizer, config.max_seq_length));
    }
    ADALORA_CHECK(!eval_.empty(), "train: eval_file: task ", spec_.name, " needs a dev file to evaluate on");
  }
  const EncodedDataset& train_data() const override { return train_; }

  models::TaskHead head() const override { return models::TaskHead::SequenceClassification; }
  io::HfConfig model_config(const std::string& model_dir) const override {
    const int64_t num_labels = spec_.is_regression ? 1 : static_cast<int64_t>(label_names_.size());
    return classifier_config(model_dir, spec_.is_regression, num_labels);
  }
  bool head_is_fresh() const override { return true; }

  std::vector<std::string> eval_split_names() const override {
    std::vector<std::string> names;
    for (const auto& split : eval_) names.push_back(split.first);
    return names;
  }
  std::map<std::string, double> evaluate(models::Model& model, size_t index, int64_t batch_size,
                                         dist::ProcessGroup* group) override {
    return evaluate_split(model, eval_.at(index).second, spec_, batch_size, group);
  }
  std::string primary_metric() const override { return spec_.primary_metric; }

  void write_outputs(const std::string& output_dir) const override {
    write_labels_json(output_dir + "/" + kLabelsFile, {spec_.name, spec_.is_regression, label_names_});
  }

 private:
  const tasks::TaskSpec& spec_;
  std::vector<std::string> label_names_;
  EncodedDataset train_;
  std::vector<std::pair<std::string, EncodedDataset>> eval_;
};

}  // namespace

std::unique_ptr<TaskPipeline> make_classification_pipeline(const tasks::TaskSpec& spec) {
  return std::make_unique<ClassificationPipeline>(spec);
}

}  // namespace adalora::train
