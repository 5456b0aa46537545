// The causal-LM family (`causal_lm`): JSONL / CSV rows with "text" or "prompt" + "completion"
// (train/generative_data.h), the model's own LM head (*ForCausalLM, GPT2LMHeadModel), and as
// metrics the dev split's token-mean loss (exact over the split, train/token_loss.h) and its
// perplexity exp(loss); lower loss is better.
#include <cmath>

#include "adalora/core/error.h"
#include "adalora/train/finetune.h"
#include "adalora/train/generative_data.h"
#include "adalora/train/task_pipeline.h"
#include "adalora/train/token_loss.h"

namespace adalora::train {
namespace {

class CausalLmPipeline final : public TaskPipeline {
 public:
  explicit CausalLmPipeline(const tasks::TaskSpec& spec) : spec_(spec) {}

  void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) override {
    ADALORA_CHECK(!config.train_file.empty(), "train: train_file: task ", spec_.name,
                  " needs a training file (JSONL/CSV with \"text\" or \"prompt\" + \"completion\")");
    ADALORA_CHECK(!config.eval_file.empty(), "train: eval_file: task ", spec_.name,
                  " needs a dev file to evaluate on");
    train_ = read_causal_lm_file(resolve_data_path(config.data_dir, config.train_file), tokenizer,
                                 config.max_seq_length);
    eval_ = read_causal_lm_file(resolve_data_path(config.data_dir, config.eval_file), tokenizer,
                                config.max_seq_length);
  }
  const EncodedDataset& train_data() const override { return train_; }

  models::TaskHead head() const override { return models::TaskHead::CausalLM; }
  io::HfConfig model_config(const std::string& model_dir) const override {
    return io::HfConfig::load(model_dir);
  }
  bool head_is_fresh() const override { return false; }

  std::vector<std::string> eval_split_names() const override { return {"dev"}; }
  std::map<std::string, double> evaluate(models::Model& model, size_t index, int64_t batch_size,
                                         dist::ProcessGroup* group) override {
    ADALORA_CHECK(index == 0, "train: causal_lm: expected eval split 0, got ", index);
    const double loss = split_token_loss(model, eval_, batch_size, group).mean();
    return {{"loss", loss}, {"perplexity", std::exp(loss)}};
  }
  std::string primary_metric() const override { return "loss"; }
  bool greater_is_better() const override { return false; }

  void summarize(io::Json& summary) const override {
    int64_t tokens = 0;
    for (const auto& labels : train_.label_ids) {
      for (size_t t = 1; t < labels.size(); ++t) tokens += labels[t] != -100;
    }
    summary["train_label_tokens"] = tokens;
  }

 private:
  const tasks::TaskSpec& spec_;
  EncodedDataset train_;
  EncodedDataset eval_;
};

}  // namespace

std::unique_ptr<TaskPipeline> make_causal_lm_pipeline(const tasks::TaskSpec& spec) {
  return std::make_unique<CausalLmPipeline>(spec);
}

}  // namespace adalora::train
