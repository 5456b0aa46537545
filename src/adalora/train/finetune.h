// The main job as a library call: fine-tune a HuggingFace encoder folder on a task's data with a
// PEFT method, evaluate on the dev split(s), and write the adapter, metrics, rank pattern and the
// two pictures (rank heatmap, budget curve). The `adalora train` CLI is a thin layer over this.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/train/trainer.h"

namespace adalora::train {

struct FineTuneConfig {
  std::string model_dir;       ///< config.json + model.safetensors (+ tokenizer files)
  std::string tokenizer;       ///< tokenizer folder or file; "" = model_dir
  std::string device = "cpu";  ///< cpu, cuda or cuda:N (core/device.h); the model is moved there
  /// float32 or bfloat16 (core/compute_dtype.h): the base model's weights and compute; adapters
  /// and the optimizer state stay float32 (PEFT's autocast_adapter_dtype).
  std::string dtype = "float32";
  std::string task = "classification";  ///< tasks registry name: glue/mnli, …, classification, regression
  std::string data_dir;        ///< folder of the task's files (GLUE: e.g. glue_data/MNLI)
  std::string train_file;      ///< overrides the task's train file (required for generic tasks)
  std::string eval_file;       ///< overrides the first eval split's file (required for generic tasks)
  /// > 0: carve this share of the training file as the dev split (data/dev_split.h: seeded,
  /// stratified by label) for evaluation during training and best/; the eval files are then
  /// reported as the test set ("test/<metric>"), never used to select anything.
  double dev_fraction = 0;
  uint64_t dev_split_seed = 42;  ///< which rows go to dev; fixed apart from `seed` on purpose
  /// > 0 (with dev_fraction, without eval_file): the test set is carved too, first (seed
  /// dev_split_seed + 1), for data that ships as one labelled file (the UCI sentiment sets).
  double test_fraction = 0;
  int64_t max_seq_length = 128;
  std::string method = "adalora";              ///< peft registry name
  io::Json method_config = io::Json::object(); ///< PEFT-style keys (init_r, target_r, target_modules, …)
  /// Modules trained in full with the adapter; default: the task head ("classifier", "pooler",
  /// "qa_outputs") where the model has it.
  std::vector<std::string> modules_to_save;
  TrainerOptions trainer;
  int64_t eval_batch_size = 32;
  // Generative tasks (causal_lm, seq2seq, summarization/*; train/generative_data.h).
  std::string source_column;        ///< seq2seq source; "" = the task's (XSum: document)
  std::string target_column;        ///< seq2seq target; "" = the task's (XSum: summary)
  int64_t max_target_length = 128;  ///< seq2seq labels truncated to this (HF run_summarization)
  /// seq2seq: evaluation generates and reports ROUGE (HF's predict_with_generate); false = loss only.
  bool predict_with_generate = true;
  /// GenerationConfig keys (num_beams, max_length, length_penalty, no_repeat_ngram_size, …) over
  /// the model folder's generation_config.json; max_length defaults to max_target_length. Null or
  /// an object.
  io::Json generation;
  /// Question answering (squad, squad_v2): run_qa.py's arguments of the same names and defaults.
  int64_t doc_stride = 128;        ///< tokens shared by consecutive windows of a long context
  int64_t n_best_size = 20;        ///< start and end candidates per window
  int64_t max_answer_length = 30;  ///< tokens
  double null_score_diff_threshold = 0.0;  ///< v2: answer "" when null − best span score > this
};

struct FineTuneResult {
  TrainResult train;
  std::map<std::string, double> metrics;  ///< final evaluation, "<split>/<metric>"
  std::string primary_metric;
  int64_t trainable_parameters = 0;  ///< what the optimizer trained (AdaLoRA: at init_r)
  int64_t kept_parameters = 0;       ///< what the adapter keeps (peft::Method::kept_parameter_count)
  std::optional<int64_t> final_total_rank;  ///< AdaLoRA: Σ final ranks
  int64_t total_parameters = 0;
  double wall_seconds = 0;
  std::string output_dir;
};

/// Reads a fine-tuning configuration from JSON (keys = FineTuneConfig / TrainerOptions / method
/// field names, e.g. "learning_rate", "per_device_train_batch_size", "init_r"); method keys go to
/// method_config. Unknown keys → Error naming them. `base` supplies defaults.
FineTuneConfig fine_tune_config_from_json(const io::Json& json, const std::string& source,
                                          FineTuneConfig base = {});

/// Runs the whole job. `progress` (optional) sees every optimizer step and may stop the run; a
/// stopped run leaves only its checkpoint (continue with trainer.resume), the finished one writes
/// adapter/, results.json, labels.json (train/evaluate.h) and, for AdaLoRA, the rank pattern files.
/// With a process group: data parallel over its ranks (the trainer's world_size is set from it),
/// evaluation sharded, files written by rank 0; every rank returns the same metrics.
FineTuneResult fine_tune(const FineTuneConfig& config, StepCallback progress = {},
                         std::shared_ptr<dist::ProcessGroup> group = nullptr);

}  // namespace adalora::train
