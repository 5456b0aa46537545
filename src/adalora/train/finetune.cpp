#include "adalora/train/finetune.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "adalora/core/compute_dtype.h"
#include "adalora/core/device.h"
#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/peft/all_linear.h"
#include "adalora/models/registry.h"
#include "adalora/peft/parameter_count.h"
#include "adalora/peft/registry.h"
#include "adalora/train/peft_task_type.h"
#include "adalora/tasks/registry.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/train/evaluate.h"
#include "adalora/train/report.h"
#include "adalora/train/task_pipeline.h"

namespace adalora::train {
namespace fs = std::filesystem;

namespace {

// The keys any registered method reads (peft/registry.cpp).
bool is_method_key(const std::string& key) {
  for (const auto& k : peft::method_config_keys()) {
    if (key == k.key) return true;
  }
  return false;
}
// Keys of the shipped presets that describe rather than configure (kept for readers of the file).
const std::set<std::string> kInformationalKeys = {"budget", "description", "source"};

std::vector<std::string> default_modules_to_save(models::Model& model) {
  std::vector<std::string> out;
  for (const char* name : {"classifier", "pooler", "qa_outputs"}) {
    for (const auto& item : model.named_modules("", false)) {
      // Only top-level heads: the base model's own pooler (bert.pooler) is pre-trained, but is
      // still trained here as HF's run_glue + PEFT SEQ_CLS users expect for a fresh head.
      const std::string& key = item.key();
      if (key == name || (key.size() > std::strlen(name) + 1 &&
                          key.compare(key.size() - std::strlen(name), std::strlen(name), name) == 0 &&
                          key[key.size() - std::strlen(name) - 1] == '.' &&
                          std::count(key.begin(), key.end(), '.') == 1)) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

}  // namespace

FineTuneConfig fine_tune_config_from_json(const io::Json& json, const std::string& source, FineTuneConfig c) {
  io::JsonObject o(json, source);
  auto& t = c.trainer;
  std::vector<std::string> unknown;
  for (const auto& [key, value] : json.items()) {
    if (key == "model") c.model_dir = o.get<std::string>(key);
    else if (key == "tokenizer") c.tokenizer = o.get<std::string>(key);
    else if (key == "task") c.task = o.get<std::string>(key);
    else if (key == "data_dir") c.data_dir = o.get<std::string>(key);
    else if (key == "train_file") c.train_file = o.get<std::string>(key);
    else if (key == "eval_file") c.eval_file = o.get<std::string>(key);
    else if (key == "dev_fraction") c.dev_fraction = o.get<double>(key);
    else if (key == "dev_split_seed") c.dev_split_seed = o.get<uint64_t>(key);
    else if (key == "test_fraction") c.test_fraction = o.get<double>(key);
    else if (key == "max_seq_length") c.max_seq_length = o.get<int64_t>(key);
    else if (key == "method") c.method = o.get<std::string>(key);
    else if (key == "modules_to_save") c.modules_to_save = o.get<std::vector<std::string>>(key);
    else if (key == "eval_batch_size") c.eval_batch_size = o.get<int64_t>(key);
    else if (key == "device") c.device = o.get<std::string>(key);
    else if (key == "dtype") c.dtype = o.get<std::string>(key);
    else if (key == "doc_stride") c.doc_stride = o.get<int64_t>(key);
    else if (key == "n_best_size") c.n_best_size = o.get<int64_t>(key);
    else if (key == "max_answer_length") c.max_answer_length = o.get<int64_t>(key);
    else if (key == "null_score_diff_threshold") c.null_score_diff_threshold = o.get<double>(key);
    else if (key == "learning_rate") t.learning_rate = o.get<double>(key);
    else if (key == "weight_decay") t.weight_decay = o.get<double>(key);
    else if (key == "warmup_steps") t.warmup_steps = o.get<int64_t>(key);
    else if (key == "warmup_ratio") t.warmup_ratio = o.get<double>(key);
    else if (key == "num_train_epochs") t.num_train_epochs = o.get<double>(key);
    else if (key == "max_steps") t.max_steps = o.get<int64_t>(key);
    else if (key == "per_device_train_batch_size") t.per_device_train_batch_size = o.get<int64_t>(key);
    else if (key == "gradient_accumulation_steps") t.gradient_accumulation_steps = o.get<int64_t>(key);
    else if (key == "max_grad_norm") t.max_grad_norm = o.get<double>(key);
    else if (key == "seed") t.seed = o.get<int64_t>(key);
    else if (key == "eval_steps") t.eval_steps = o.get<int64_t>(key);
    else if (key == "logging_steps") t.logging_steps = o.get<int64_t>(key);
    else if (key == "save_steps") t.save_steps = o.get<int64_t>(key);
    else if (key == "output_dir") t.output_dir = o.get<std::string>(key);
    else if (key == "overwrite_output_dir") t.overwrite = o.get<bool>(key);
    else if (key == "label_smoothing_factor") t.label_smoothing_factor = o.get<double>(key);
    else if (key == "source_column") c.source_column = o.get<std::string>(key);
    else if (key == "target_column") c.target_column = o.get<std::string>(key);
    else if (key == "max_target_length") c.max_target_length = o.get<int64_t>(key);
    else if (key == "predict_with_generate") c.predict_with_generate = o.get<bool>(key);
    else if (key == "generation_num_beams") c.generation["num_beams"] = o.get<int64_t>(key);
    else if (key == "generation_max_length") c.generation["max_length"] = o.get<int64_t>(key);
    else if (key == "length_penalty") c.generation["length_penalty"] = o.get<double>(key);
    else if (key == "no_repeat_ngram_size") c.generation["no_repeat_ngram_size"] = o.get<int64_t>(key);
    else if (key == "generation") {
      for (const auto& [k, v] : o.object(key).json().items()) c.generation[k] = v;
    }
    else if (key == "cls_dropout") c.method_config["__model__cls_dropout"] = o.get<double>(key);
    else if (is_method_key(key)) c.method_config[key] = value;
    else if (!kInformationalKeys.count(key)) unknown.push_back(key);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& k : unknown) list += (list.empty() ? "" : ", ") + k;
    throw Error(str_cat(source, ": unknown keys: ", list));
  }
  return c;
}

FineTuneResult fine_tune(const FineTuneConfig& config, StepCallback progress,
                         std::shared_ptr<dist::ProcessGroup> group) {
  const auto t0 = std::chrono::steady_clock::now();
  ADALORA_CHECK(!config.model_dir.empty(), "train: model: expected a HuggingFace model folder, got none");
  ADALORA_CHECK(!config.trainer.output_dir.empty(), "train: output_dir: expected a folder, got none");
  const tasks::TaskSpec& spec = tasks::find_task(config.task);
  const std::unique_ptr<TaskPipeline> task = make_task_pipeline(spec);
  const torch::Device device = parse_device(config.device, "device");  // before any work
  const torch::ScalarType dtype = parse_compute_dtype(config.dtype, "dtype");

  // Data, read and encoded by the task's family.
  const auto tokenizer = tokenizers::Tokenizer::from_dir(config.tokenizer.empty() ? config.model_dir : config.tokenizer);
  task->load_data(config, tokenizer);
  const EncodedDataset& train_encoded = task->train_data();
  const std::vector<std::string> eval_splits = task->eval_split_names();
  ADALORA_CHECK(!eval_splits.empty(), "train: eval_file: task ", spec.name, " needs a dev file to evaluate on");

  // Model with the task's head (fresh for classification).
  torch::manual_seed(config.trainer.seed);
  io::HfConfig hf = task->model_config(config.model_dir);
  auto& j = hf.mutable_json();
  io::Json method_config = config.method_config;
  if (method_config.contains("__model__cls_dropout")) {
    j["cls_dropout"] = method_config.at("__model__cls_dropout");
    method_config.erase("__model__cls_dropout");
  }
  auto model = models::build_model(hf, task->head());
  models::LoadReport load_report;
  // A fresh task head: a checkpoint's own head of another size (a model fine-tuned for another
  // label set) is re-initialised, as HF's ignore_mismatched_sizes; the encoder must match.
  models::load_weights(*model, config.model_dir, &load_report, task->head_is_fresh());
  // Initialised and loaded in float32 on the CPU (same numbers on every device), then moved and
  // cast, before the method attaches its float32 adapters.
  model->to(device, dtype);

  // Method.
  TrainerOptions trainer_options = config.trainer;
  trainer_options.world_size = group ? group->world_size() : 1;
  trainer_options.greater_is_better = task->greater_is_better();
  const int64_t total_steps = Trainer::total_steps(trainer_options, train_encoded.size());
  if (!method_config.contains("modules_to_save")) {
    method_config["modules_to_save"] =
        config.modules_to_save.empty() ? default_modules_to_save(*model) : config.modules_to_save;
  }
  if (peft::find_method(config.method).architecture_targets && !method_config.contains("target_modules")) {
    // PEFT's default targets for the architecture (models/registry.cpp), as get_peft_model does.
    method_config["target_modules"] = models::find_architecture(hf.model_type(), hf.source()).default_targets;
  }
  // PEFT's "all-linear" string; from the command line it arrives as a one-element list.
  if (method_config.contains("target_modules") &&
      (peft::is_all_linear(method_config["target_modules"]) ||
       (method_config["target_modules"].size() == 1 && method_config["target_modules"].is_array() &&
        peft::is_all_linear(method_config["target_modules"][0])))) {
    method_config["target_modules"] = peft::all_linear_target_names(*model);  // PEFT's expansion
  }
  // What PEFT's AutoPeftModelFor* needs to rebuild the model from the adapter folder alone.
  method_config["task_type"] = peft_task_type(model->head());
  method_config["base_model_name_or_path"] = config.model_dir;
  auto method = peft::make_method(config.method, *model, method_config, total_steps);

  // Train with evaluation on the first dev split; the others are reported at the end.
  Trainer trainer(*model, *method, train_encoded, trainer_options);
  trainer.set_process_group(group);
  trainer.set_evaluator([&](models::Model& m, int64_t) {
    Evaluation e;
    e.metrics = task->evaluate(m, 0, config.eval_batch_size, group.get());
    e.primary_metric = task->primary_metric();
    return e;
  });
  std::vector<std::pair<int64_t, int64_t>> measured_rank;
  trainer.set_step_callback([&](const StepInfo& info) {
    if (info.report.total_rank) measured_rank.emplace_back(info.step, *info.report.total_rank);
    return progress ? progress(info) : true;
  });
  FineTuneResult result;
  result.train = trainer.train();
  result.output_dir = config.trainer.output_dir;
  // A stopped run is half a run: its checkpoint is for --resume, which writes the outputs.
  if (result.train.stopped) return result;

  // Final metrics on every dev split.
  model->eval();
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < eval_splits.size(); ++i) {
      // The trainer's end-of-run evaluation is of this final model on the first split: reuse it.
      const auto metrics = i == 0 && result.train.last_evaluation
                               ? result.train.last_evaluation->metrics
                               : task->evaluate(*model, i, config.eval_batch_size, group.get());
      for (const auto& [metric, value] : metrics) {
        result.metrics[eval_splits[i] + "/" + metric] = value;
      }
    }
  }
  result.primary_metric = eval_splits.front() + "/" + task->primary_metric();
  result.trainable_parameters = method->trainable_parameter_count();
  result.kept_parameters = method->kept_parameter_count();
  result.total_parameters = models::count_parameters(*model).total;

  // Where the budget went.
  const fs::path out(config.trainer.output_dir);
  const bool is_main = !group || group->is_main();  // every rank has the same numbers; one writes
  if (auto* adalora = peft::as_adalora(*method)) {
    const auto ranks = adalora->allocator().ranks();
    const int64_t init_r = adalora->config().init_r;
    result.final_total_rank = adalora->allocator().total_rank();
    if (is_main) write_rank_pattern_json((out / "rank_pattern.json").string(), ranks, init_r);
    if (is_main) {
      io::write_file_atomic((out / "rank_heatmap.svg").string(),
                            rank_heatmap_svg(ranks, init_r, "AdaLoRA final ranks: " + spec.name));
      io::write_file_atomic((out / "budget_curve.svg").string(),
                            budget_curve_svg(adalora->allocator().schedule(), measured_rank,
                                             "AdaLoRA budget b(t): " + spec.name));
    }
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  io::Json summary = {{"task", spec.name},
                      {"method", config.method},
                      {"metrics", result.metrics},
                      {"primary_metric", result.primary_metric},
                      {"trainable_params", result.trainable_parameters},
                      {"kept_params", result.kept_parameters},
                      {"total_params", result.total_parameters},
                      {"optimizer_steps", result.train.global_step},
                      {"wall_seconds", result.wall_seconds},
                      {"newly_initialized", load_report.newly_initialized},
                      {"reinitialized_mismatched_head", load_report.mismatched_head}};
  if (result.final_total_rank) summary["final_total_rank"] = *result.final_total_rank;
  // The paper's "# Params" (Tables 1–3): the method's kept parameters without the task head.
  const auto paper = peft::paper_parameter_count(
      *method, *model, method_config.at("modules_to_save").get<std::vector<std::string>>());
  summary["paper_params"] = paper.method_parameters;
  summary["paper_params_share"] = paper.share();
  if (result.train.best_metric) {
    // The final model is what adapter/ holds and what "metrics" measures; best/ is the checkpoint
    // with the best primary metric seen during training (HF's load_best_model_at_end).
    summary["best"] = {{"step", result.train.best_step}, {"primary_metric", *result.train.best_metric}};
  }
  summary["max_seq_length"] = config.max_seq_length;
  summary["dtype"] = config.dtype;
  summary["eval_batch_size"] = config.eval_batch_size;
  if (group) summary["world_size"] = group->world_size();
  task->summarize(summary);
  if (!is_main) return result;
  io::save_json_file((out / "results.json").string(), summary);
  // What `adalora eval` / `predict` need to rebuild the head (train/evaluate.h).
  task->write_outputs(out.string());
  return result;
}

}  // namespace adalora::train
