// The seq2seq family (`seq2seq`, `summarization`, `summarization/xsum`,
// `summarization/cnn_dailymail`): source/target columns (train/generative_data.h), the model's
// conditional-generation head (BartForConditionalGeneration), and as metrics the dev split's
// exact token-mean loss and — with predict_with_generate — ROUGE of generated summaries
// (train/generation_eval.h). Generation settings: the model folder's generation_config.json, then
// max_length = max_target_length (run_summarization's val_max_target_length), then the run's
// `generation` keys. The last evaluation's predictions go to generated_predictions.jsonl.
#include <optional>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/train/finetune.h"
#include "adalora/train/generation_eval.h"
#include "adalora/train/generative_data.h"
#include "adalora/train/task_pipeline.h"
#include "adalora/train/token_loss.h"

namespace adalora::train {
namespace {

class Seq2SeqPipeline final : public TaskPipeline {
 public:
  explicit Seq2SeqPipeline(const tasks::TaskSpec& spec) : spec_(spec) {}

  void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) override {
    ADALORA_CHECK(!config.train_file.empty(), "train: train_file: task ", spec_.name,
                  " needs a training file (JSONL/CSV)");
    ADALORA_CHECK(!config.eval_file.empty(), "train: eval_file: task ", spec_.name,
                  " needs a dev file to evaluate on");
    const std::string source = config.source_column.empty() ? spec_.text_column : config.source_column;
    const std::string target = config.target_column.empty() ? spec_.text_pair_column : config.target_column;
    auto read = [&](const std::string& file) {
      return read_seq2seq_file(resolve_data_path(config.data_dir, file), source, target, tokenizer,
                               config.max_seq_length, config.max_target_length);
    };
    train_ = read(config.train_file).encoded;
    eval_ = read(config.eval_file);
    tokenizer_.emplace(tokenizer);
    predict_with_generate_ = config.predict_with_generate;
    generation_ = generation::load_generation_config(config.model_dir);
    generation_.max_length = config.max_target_length;
    generation_ = generation::parse_generation_config(
        io::JsonObject(config.generation.is_null() ? io::Json::object() : config.generation,
                       "train: generation"),
        generation_);
    generation::validate(generation_, "train: generation");
  }
  const EncodedDataset& train_data() const override { return train_; }

  models::TaskHead head() const override { return models::TaskHead::Seq2SeqLM; }
  io::HfConfig model_config(const std::string& model_dir) const override {
    return io::HfConfig::load(model_dir);
  }
  bool head_is_fresh() const override { return false; }

  std::vector<std::string> eval_split_names() const override { return {"dev"}; }
  std::map<std::string, double> evaluate(models::Model& model, size_t index, int64_t batch_size,
                                         dist::ProcessGroup* group) override {
    ADALORA_CHECK(index == 0, "train: ", spec_.name, ": expected eval split 0, got ", index);
    std::map<std::string, double> metrics = {
        {"loss", split_token_loss(model, eval_.encoded, batch_size, group).mean()}};
    if (!predict_with_generate_) return metrics;
    generated_ = generate_split(model, eval_.encoded, *tokenizer_, generation_, batch_size, group);
    metrics.merge(summarization_rouge(generated_.predictions, generated_.references));
    metrics["gen_len"] = generated_.gen_len;
    return metrics;
  }
  std::string primary_metric() const override {
    return predict_with_generate_ ? spec_.primary_metric : "loss";
  }
  bool greater_is_better() const override { return predict_with_generate_; }

  void write_outputs(const std::string& output_dir) const override {
    if (generated_.predictions.empty()) return;
    io::write_file_atomic(output_dir + "/generated_predictions.jsonl", [&](std::ostream& out) {
      for (size_t i = 0; i < generated_.predictions.size(); ++i) {
        out << io::Json{{"row", i},
                        {"prediction", generated_.predictions[i]},
                        {"reference", generated_.references[i]}}
                   .dump()
            << '\n';
      }
    });
  }
  void summarize(io::Json& summary) const override {
    summary["max_target_length"] = generation_.max_length;
    summary["predict_with_generate"] = predict_with_generate_;
    summary["generation"] = {{"num_beams", generation_.num_beams},
                             {"max_length", generation_.max_length},
                             {"min_length", generation_.min_length},
                             {"length_penalty", generation_.length_penalty},
                             {"no_repeat_ngram_size", generation_.no_repeat_ngram_size}};
  }

 private:
  const tasks::TaskSpec& spec_;
  EncodedDataset train_;
  Seq2SeqData eval_;
  std::optional<tokenizers::Tokenizer> tokenizer_;
  bool predict_with_generate_ = true;
  generation::GenerationConfig generation_;
  GeneratedSplit generated_;  // of the last evaluation
};

}  // namespace

std::unique_ptr<TaskPipeline> make_seq2seq_pipeline(const tasks::TaskSpec& spec) {
  return std::make_unique<Seq2SeqPipeline>(spec);
}

}  // namespace adalora::train
