// The question-answering family (SQuAD v1.1 / v2.0), as HF run_qa.py: SQuAD JSON/JSONL read with
// data/squad.h, windows with doc stride and answer-span labels (tasks/qa_features.h), a fresh
// `qa_outputs` head (num_labels 2), and evaluation = start/end logits of every dev window →
// utils_qa.py post-processing (tasks/qa_predictions.h) → the official scorers (metrics/squad.h).
// The final evaluation's answers go to predictions.json (and, for v2, null_odds.json) in the
// official formats, so `adalora eval --task squad --predictions` rescores them to the same numbers.
//
// Differences from run_qa.py, on purpose: dynamic padding (its --pad_to_max_length False), and the
// v2 metrics without na_probs (run_qa.py passes no_answer_probability 0.0, which only adds the
// best_* keys; null_odds.json gives the official script's real threshold search instead).
#include <algorithm>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/metrics/squad.h"
#include "adalora/tasks/qa_predictions.h"
#include "adalora/train/finetune.h"
#include "adalora/train/task_pipeline.h"

namespace adalora::train {
namespace {

// One SQuAD file with its windows.
struct QaSplit {
  std::string name;
  data::SquadDataset data;
  std::vector<tasks::QaFeature> features;
  EncodedDataset encoded;        // input and type ids only
  tasks::QaPredictions answers;  // of the latest evaluation
};

EncodedDataset to_encoded(const std::vector<tasks::QaFeature>& features, int64_t pad_id,
                          bool with_positions) {
  EncodedDataset out;
  out.pad_id = pad_id;
  for (const auto& f : features) {
    out.input_ids.push_back(f.input_ids);
    out.token_type_ids.push_back(f.token_type_ids);
    if (with_positions) {
      out.start_positions.push_back(f.start_position);
      out.end_positions.push_back(f.end_position);
    }
  }
  return out;
}

// Start and end logits of features [lo, hi), each cut to its own length, flattened as
// start(f_lo), end(f_lo), start(f_lo+1), … : [Σ 2·len].
torch::Tensor predict_span_logits(models::Model& model, const EncodedDataset& data, int64_t lo,
                                  int64_t hi, int64_t batch_size) {
  ADALORA_CHECK(batch_size >= 1, "evaluate: eval_batch_size: expected ≥ 1, got ", batch_size);
  std::vector<torch::Tensor> parts;
  for (int64_t start = lo; start < hi; start += batch_size) {
    std::vector<int64_t> idx;
    for (int64_t i = start; i < std::min(hi, start + batch_size); ++i) idx.push_back(i);
    const models::ModelOutputs out = model.forward(collate(data, idx).to_model_inputs());
    for (size_t b = 0; b < idx.size(); ++b) {
      const auto len = static_cast<int64_t>(data.input_ids[idx[b]].size());
      parts.push_back(out.start_logits[static_cast<int64_t>(b)].narrow(0, 0, len));  // [len]
      parts.push_back(out.end_logits[static_cast<int64_t>(b)].narrow(0, 0, len));    // [len]
    }
  }
  if (parts.empty()) return torch::empty({0}, torch::kFloat32);
  return torch::cat(parts).to(torch::kFloat32).contiguous();
}

class QaPipeline final : public TaskPipeline {
 public:
  explicit QaPipeline(const tasks::TaskSpec& spec) : spec_(spec) {}

  void load_data(const FineTuneConfig& config, const tokenizers::Tokenizer& tokenizer) override {
    features_.max_seq_length = config.max_seq_length;
    features_.doc_stride = config.doc_stride;
    ADALORA_CHECK(config.n_best_size >= 1, "train: n_best_size: expected ≥ 1, got ", config.n_best_size);
    ADALORA_CHECK(config.max_answer_length >= 1, "train: max_answer_length: expected ≥ 1, got ",
                  config.max_answer_length);
    postprocess_.version_2_with_negative = spec_.version_2_with_negative;
    postprocess_.n_best_size = config.n_best_size;
    postprocess_.max_answer_length = config.max_answer_length;
    postprocess_.null_score_diff_threshold = static_cast<float>(config.null_score_diff_threshold);
    const int64_t pad_id = tokenizer.pad_id().value_or(0);

    const std::string train_path = resolve_data_path(
        config.data_dir, config.train_file.empty() ? spec_.train_file : config.train_file);
    const data::SquadDataset train = read(train_path);
    train_ = to_encoded(tasks::prepare_qa_features(train.examples, tokenizer, features_), pad_id,
                        /*with_positions=*/true);
    for (size_t i = 0; i < spec_.eval_splits.size(); ++i) {
      const std::string file =
          i == 0 && !config.eval_file.empty() ? config.eval_file : spec_.eval_splits[i].file;
      QaSplit split;
      split.name = spec_.eval_splits[i].name;
      split.data = read(resolve_data_path(config.data_dir, file));
      split.features = tasks::prepare_qa_features(split.data.examples, tokenizer, features_);
      split.encoded = to_encoded(split.features, pad_id, /*with_positions=*/false);
      eval_.push_back(std::move(split));
    }
  }
  const EncodedDataset& train_data() const override { return train_; }

  models::TaskHead head() const override { return models::TaskHead::QuestionAnswering; }
  io::HfConfig model_config(const std::string& model_dir) const override {
    io::HfConfig hf = io::HfConfig::load(model_dir);
    auto& j = hf.mutable_json();
    j["num_labels"] = 2;  // start and end, as *ForQuestionAnswering expects
    j.erase("id2label");
    j.erase("label2id");
    return hf;
  }
  bool head_is_fresh() const override { return true; }

  std::vector<std::string> eval_split_names() const override {
    std::vector<std::string> names;
    for (const auto& split : eval_) names.push_back(split.name);
    return names;
  }

  std::map<std::string, double> evaluate(models::Model& model, size_t index, int64_t batch_size,
                                         dist::ProcessGroup* group) override {
    QaSplit& split = eval_.at(index);
    const EncodedDataset& data = split.encoded;
    // With a process group each rank runs a contiguous 1/W of the windows; float32 logits are
    // gathered as they are, so the answers are those of a single process.
    const int64_t n = data.size(), w = group ? group->world_size() : 1, r = group ? group->rank() : 0;
    torch::Tensor flat = predict_span_logits(model, data, n * r / w, n * (r + 1) / w, batch_size);
    if (group) flat = group->all_gather_rows(flat);
    const float* values = flat.data_ptr<float>();
    std::vector<std::vector<float>> starts(split.features.size()), ends(split.features.size());
    int64_t at = 0;
    for (size_t i = 0; i < split.features.size(); ++i) {
      const auto len = static_cast<int64_t>(split.features[i].input_ids.size());
      ADALORA_CHECK(at + 2 * len <= flat.numel(), "evaluate: expected ", 2 * len,
                    " logits for feature ", i, ", the gathered logits end at ", flat.numel());
      starts[i].assign(values + at, values + at + len);
      ends[i].assign(values + at + len, values + at + 2 * len);
      at += 2 * len;
    }
    split.answers = tasks::postprocess_qa_predictions(split.data.examples, split.features, starts,
                                                      ends, postprocess_);
    return score(split);
  }
  std::string primary_metric() const override { return spec_.primary_metric; }

  void write_outputs(const std::string& output_dir) const override {
    const QaSplit& split = eval_.front();
    nlohmann::ordered_json predictions = nlohmann::ordered_json::object();
    for (const auto& [id, text] : split.answers.answers) predictions[id] = text;
    io::write_file_atomic(output_dir + "/predictions.json", predictions.dump(4) + "\n");
    if (spec_.version_2_with_negative) {
      nlohmann::ordered_json odds = nlohmann::ordered_json::object();
      for (const auto& [id, value] : split.answers.null_odds) odds[id] = value;
      io::write_file_atomic(output_dir + "/null_odds.json", odds.dump(4) + "\n");
    }
  }
  void summarize(io::Json& summary) const override {
    summary["doc_stride"] = features_.doc_stride;
    summary["n_best_size"] = postprocess_.n_best_size;
    summary["max_answer_length"] = postprocess_.max_answer_length;
    if (spec_.version_2_with_negative) {
      summary["null_score_diff_threshold"] = postprocess_.null_score_diff_threshold;
    }
    summary["predictions"] = "predictions.json";
  }

 private:
  data::SquadDataset read(const std::string& path) const {
    ADALORA_CHECK(!path.empty(), "train: task ", spec_.name, " needs a SQuAD file (--data-dir with ",
                  spec_.train_file, " and ", spec_.eval_splits.front().file,
                  ", or --train-file / --eval-file)");
    data::SquadDataset d = data::read_squad_file(path);
    if (!spec_.version_2_with_negative) {
      for (const auto& e : d.examples) {
        ADALORA_CHECK(!e.answers.empty(), path, ": question \"", e.id,
                      "\": answers: expected at least one for ", spec_.name,
                      " (SQuAD v1.1); questions without an answer need --task squad_v2");
      }
    }
    return d;
  }

  // The official scripts' numbers of the split's latest answers.
  std::map<std::string, double> score(const QaSplit& split) const {
    std::vector<metrics::SquadGold> golds;
    for (const auto& e : split.data.examples) {
      std::vector<std::string> texts;
      for (const auto& a : e.answers) texts.push_back(a.text);
      golds.push_back({e.id, std::move(texts)});
    }
    const std::map<std::string, std::string> predictions(split.answers.answers.begin(),
                                                         split.answers.answers.end());
    if (!spec_.version_2_with_negative) {
      const auto r = metrics::evaluate_squad_v1(golds, predictions);
      return {{"exact_match", r.exact_match}, {"f1", r.f1}};
    }
    // exact, f1 and the HasAns/NoAns breakdown without na_probs (as evaluate-v2.0.py without
    // --na-prob-file, and as run_qa.py's metric, whose no-answer probabilities are all 0); the
    // best-threshold keys as the script computes them with --na-prob-file null_odds.json, from the
    // raw scores, so they do not depend on na_prob_thresh.
    std::map<std::string, double> out =
        metrics::evaluate_squad_v2(golds, predictions, std::nullopt).to_map();
    const auto with_odds = metrics::evaluate_squad_v2(golds, predictions, split.answers.null_odds);
    out["best_exact"] = with_odds.best_exact.value();
    out["best_exact_thresh"] = with_odds.best_exact_thresh.value();
    out["best_f1"] = with_odds.best_f1.value();
    out["best_f1_thresh"] = with_odds.best_f1_thresh.value();
    return out;
  }

  const tasks::TaskSpec& spec_;
  tasks::QaFeatureOptions features_;
  tasks::QaPostprocessOptions postprocess_;
  EncodedDataset train_;
  std::vector<QaSplit> eval_;
};

}  // namespace

std::unique_ptr<TaskPipeline> make_question_answering_pipeline(const tasks::TaskSpec& spec) {
  return std::make_unique<QaPipeline>(spec);
}

}  // namespace adalora::train
