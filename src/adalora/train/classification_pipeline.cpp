// The classification / regression family (GLUE and the user's labelled text): read with the
// task's reader, encode text or text pair, a fresh sequence-classification head of the training
// data's label count, the task's metrics on every dev split, labels.json for eval/predict.
#include <algorithm>
#include <optional>

#include "adalora/core/error.h"
#include "adalora/data/dev_split.h"
#include "adalora/train/evaluate.h"
#include "adalora/train/finetune.h"
#include "adalora/train/task_pipeline.h"

namespace adalora::train {
namespace {

class ClassificationPipeline final : public TaskPipeline {
 public:
  explicit ClassificationPipeline(const tasks::TaskSpec& spec) : spec_(spec) {}

  void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) override {
    train_path_ = resolve_data_path(
        config.data_dir, config.train_file.empty() ? spec_.train_file : config.train_file);
    ADALORA_CHECK(!train_path_.empty(), "train: train_file: task ", spec_.name, " needs a training file");
    data::Dataset train = tasks::read_task_file(spec_, train_path_);
    ADALORA_CHECK(train.has_labels, train_path_, ": expected labelled rows for training");
    label_names_ = train.label_names;

    // With dev_fraction, selection happens on rows carved from the training file and the eval
    // files become the test set (optionally carved too: test_fraction, for one-file data sets).
    std::vector<std::pair<std::string, data::Dataset>> eval;
    carve_dev_ = config.dev_fraction > 0;
    dev_fraction_ = config.dev_fraction;
    test_fraction_ = config.test_fraction;
    dev_split_seed_ = config.dev_split_seed;
    std::optional<data::Dataset> carved_test;
    if (config.test_fraction > 0) {
      ADALORA_CHECK(carve_dev_ && config.eval_file.empty(),
                    "train: test_fraction: expected with dev_fraction > 0 and no eval_file (the test "
                    "set is never used to select), got dev_fraction ",
                    config.dev_fraction, ", eval_file \"", config.eval_file, "\"");
      data::TrainDevSplit split = data::split_train_dev(train, config.test_fraction, config.dev_split_seed + 1);
      train = std::move(split.train);
      carved_test = std::move(split.dev);
    }
    if (carve_dev_) {
      data::TrainDevSplit split = data::split_train_dev(train, config.dev_fraction, config.dev_split_seed);
      train = std::move(split.train);
      dev_rows_ = static_cast<int64_t>(split.dev.examples.size());
      eval.emplace_back("dev", std::move(split.dev));
    }
    if (carved_test) eval.emplace_back("test", std::move(*carved_test));
    for (size_t i = 0; i < spec_.eval_splits.size() && !carved_test; ++i) {
      std::string file = spec_.eval_splits[i].file;
      if (i == 0 && !config.eval_file.empty()) file = config.eval_file;
      if (file.empty()) continue;
      const std::string& name = spec_.eval_splits[i].name;
      eval.emplace_back(!carve_dev_                       ? name
                        : spec_.eval_splits.size() == 1 ? std::string("test")
                                                         : "test-" + name,
                        tasks::read_task_file(spec_, resolve_data_path(config.data_dir, file), label_names_));
    }
    ADALORA_CHECK(!eval.empty(), "train: eval_file: task ", spec_.name, " needs a dev file to evaluate on");
    train_ = encode(train, tokenizer, config.max_seq_length);
    for (const auto& [name, d] : eval) eval_.emplace_back(name, encode(d, tokenizer, config.max_seq_length));
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

  void summarize(io::Json& summary) const override {
    if (!carve_dev_) return;
    summary["dev_split"] = {{"carved_from", train_path_}, {"fraction", dev_fraction_},
                            {"seed", dev_split_seed_}, {"rows", dev_rows_}};
    if (test_fraction_ > 0) {
      summary["test_split"] = {{"fraction", test_fraction_}, {"seed", dev_split_seed_ + 1}};
    }
    if (eval_.size() > 1) summary["test_metric"] = eval_[1].first + "/" + spec_.primary_metric;
  }

  void write_outputs(const std::string& output_dir) const override {
    write_labels_json(output_dir + "/" + kLabelsFile, {spec_.name, spec_.is_regression, label_names_});
  }

 private:
  const tasks::TaskSpec& spec_;
  std::vector<std::string> label_names_;
  std::string train_path_;
  bool carve_dev_ = false;
  double dev_fraction_ = 0, test_fraction_ = 0;
  uint64_t dev_split_seed_ = 0;
  int64_t dev_rows_ = 0;
  EncodedDataset train_;
  std::vector<std::pair<std::string, EncodedDataset>> eval_;
};

}  // namespace

std::unique_ptr<TaskPipeline> make_classification_pipeline(const tasks::TaskSpec& spec) {
  return std::make_unique<ClassificationPipeline>(spec);
}

}  // namespace adalora::train
