// `adalora train`: fine-tune a HuggingFace encoder folder on a task with AdaLoRA (or LoRA, full
// fine-tuning, BitFit). Settings come from a preset or config file (JSON, PEFT/HF key names) and
// flags override them (kebab-case of the key: --orth-reg-weight ↔ orth_reg_weight).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <thread>

#include "adalora/core/error.h"
#include "adalora/dist/local_launcher.h"
#include "adalora/dist/process_group.h"
#include "adalora/io/json.h"
#include "adalora/peft/registry.h"
#include "adalora/train/compare.h"
#include "adalora/train/finetune.h"
#include "tools/adalora/command.h"
#include "tools/adalora/format_duration.h"
#include "tools/adalora/run_config.h"

namespace adalora::cli {
namespace {

struct TrainFlags {
  std::string config_file, preset;
  io::Json overrides = io::Json::object();
  bool resume = false;
  bool overwrite = false;  // replace the run in --out (its checkpoints are deleted)
  int64_t stop_after_steps = 0;  // hidden: stop (with a checkpoint) after this many steps, for tests
  int64_t nproc_per_node = 1;
  double dist_timeout = 1800;  // seconds
  bool check_replicas = false;
};

// This process's command line as the kernel has it (the launcher re-executes it per rank).
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  ADALORA_CHECK(!args.empty(), "--nproc-per-node: cannot read /proc/self/cmdline");
  args[0] = std::filesystem::read_symlink("/proc/self/exe").string();
  return args;
}

// `--nproc-per-node N` without torchrun's variables: start N ranks of this same command line.
int launch_ranks(const TrainFlags& f, const io::Json& merged) {
  const std::string out = merged.value("output_dir", std::string());
  ADALORA_CHECK(!out.empty(), "train: --out: expected a folder (the ranks' logs go to OUT/ranks)");
  // Each rank gets its share of the cores unless told otherwise.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ::setenv("ADALORA_NUM_THREADS",
           std::to_string(std::max<int64_t>(1, cores / f.nproc_per_node)).c_str(),
           /*overwrite=*/0);
  dist::LaunchOptions o;
  o.nproc = f.nproc_per_node;
  o.log_dir = out + "/ranks";
  o.grace = std::chrono::milliseconds(static_cast<int64_t>(f.dist_timeout * 1000) + 10000);
  std::cout << "starting " << o.nproc << " ranks (Gloo over 127.0.0.1; ranks 1… write to "
            << o.log_dir << ")\n"
            << std::flush;
  return dist::launch_local(own_command_line(), o);
}

// Registers `--name` writing into overrides[key] with type T.
template <typename T>
void flag(CLI::App& app, TrainFlags& f, const std::string& name, const std::string& key, const std::string& help) {
  app.add_option_function<T>("--" + name, [&f, key](const T& v) { f.overrides[key] = v; }, help);
}

// `--<kebab-case key>` for each configuration key of the registered PEFT methods.
void method_flags(CLI::App& app, TrainFlags& f) {
  for (const auto& k : peft::method_config_keys()) {
    const std::string name = peft::cli_flag_name(k.key);
    switch (k.type) {
      case peft::KeyType::Int: flag<int64_t>(app, f, name, k.key, k.help); break;
      case peft::KeyType::Double: flag<double>(app, f, name, k.key, k.help); break;
      case peft::KeyType::Bool: flag<bool>(app, f, name, k.key, k.help); break;
      case peft::KeyType::String: flag<std::string>(app, f, name, k.key, k.help); break;
      case peft::KeyType::Strings: flag<std::vector<std::string>>(app, f, name, k.key, k.help); break;
      case peft::KeyType::Ints: flag<std::vector<int64_t>>(app, f, name, k.key, k.help); break;
    }
  }
}

std::string method_help() {
  std::string help = "PEFT method (default adalora):";
  for (const auto& e : peft::methods()) help += str_cat("\n  ", e.name, ": ", e.summary);
  return help;
}


// The progress bar (terminal) or plain lines (a log), one per optimizer step.
class Progress {
 public:
  Progress(bool tty, int64_t stop_after_steps) : tty_(tty), stop_after_steps_(stop_after_steps) { restart(); }
  void restart() {
    start_ = std::chrono::steady_clock::now();
    last_print_ = first_step_ = -1;
  }
  bool operator()(const train::StepInfo& s) {
    if (first_step_ < 0) first_step_ = s.step - 1;  // a resumed run starts counting where it resumed
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(s.step - first_step_) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(s.total_steps - s.step) / rate : 0;
    std::ostringstream line;
    line << "step " << s.step << "/" << s.total_steps << "  epoch " << std::fixed << std::setprecision(2) << s.epoch
         << "  loss " << std::setprecision(4) << s.loss << "  lr " << std::scientific << std::setprecision(2)
         << s.learning_rate << std::defaultfloat;
    if (s.report.budget) line << "  b(t) " << *s.report.budget << "  rank " << s.report.total_rank.value_or(0);
    line << "  " << std::fixed << std::setprecision(2) << rate << " steps/s  ETA " << format_duration(eta);
    if (tty_) {
      const int width = 24;
      const int filled = static_cast<int>(width * s.step / std::max<int64_t>(1, s.total_steps));
      std::cout << "\r[" << std::string(filled, '=') << std::string(width - filled, ' ') << "] " << line.str()
                << "   " << std::flush;
      if (s.step == s.total_steps) std::cout << "\n";
    } else if (s.step == 1 || s.step == s.total_steps ||
               s.step - last_print_ >= std::max<int64_t>(1, s.total_steps / 20)) {
      std::cout << line.str() << "\n" << std::flush;
      last_print_ = s.step;
    }
    return stop_after_steps_ <= 0 || s.step < stop_after_steps_;
  }

 private:
  bool tty_;
  int64_t stop_after_steps_;
  std::chrono::steady_clock::time_point start_;
  int64_t last_print_ = -1, first_step_ = -1;
};

// The comparison reduced to the runs whose name or method is `which`.
io::Json select_run(io::Json config, const std::string& which, const std::string& source) {
  io::Json kept = io::Json::array();
  std::string available;
  for (const auto& run : config.at("compare")) {
    const std::string name = run.value("name", run.value("method", std::string()));
    available += (available.empty() ? "" : ", ") + name;
    if (name == which || run.value("method", std::string()) == which) kept.push_back(run);
  }
  ADALORA_CHECK(!kept.empty(), "--method ", which, ": ", source, " compares ", available, "; expected one of them");
  config["compare"] = kept;
  return config;
}

void print_comparison(const std::vector<train::MethodSummary>& runs, const std::string& out) {
  auto number = [](const io::Json& j, const char* key, int precision) {
    std::ostringstream s;
    if (j.contains(key)) s << std::fixed << std::setprecision(precision) << j.at(key).get<double>();
    else s << "-";
    return s.str();
  };
  const std::string split = runs.front().json.value("eval_split", std::string("dev"));
  std::cout << "\n" << std::left << std::setw(12) << "method" << std::right << std::setw(10) << "accuracy"
            << std::setw(10) << "F1" << std::setw(18) << "trainable params" << std::setw(12) << "final rank"
            << std::setw(12) << "wall time" << "   (" << split << " split)\n";
  for (const auto& r : runs) {
    const io::Json& j = r.json;
    std::cout << std::left << std::setw(12) << r.name << std::right << std::setw(10) << number(j, "accuracy", 4)
              << std::setw(10) << number(j, "f1", 4) << std::setw(18) << j.at("trainable_params").get<int64_t>()
              << std::setw(12) << (j.contains("final_total_rank") ? std::to_string(j.at("final_total_rank").get<int64_t>()) : "-")
              << std::setw(12) << format_duration(j.at("wall_seconds").get<double>()) << "\n";
  }
  if (runs.front().json.contains("f1_metric")) {
    std::cout << "F1 = " << runs.front().json.at("f1_metric").get<std::string>()
              << "; trainable params = what each finished adapter keeps (AdaLoRA: at its final ranks)\n";
  }
  std::cout << "wrote " << out << "/results.json and one folder per run";
  for (const auto& r : runs) {
    if (r.method == "adalora") std::cout << "; " << out << "/" << r.name << "/{rank_heatmap.svg, budget_curve.svg}";
  }
  std::cout << "\n";
}

// The files of a finished run's folder that this run wrote (modified since `run_start`), in
// report order: what a run writes depends on its task family and method (labels.json only for
// classification, predictions.json for QA, the rank pattern only for AdaLoRA), and an earlier
// run's files may remain in the folder (--overwrite does not remove them).
std::string train_files_written(const std::string& dir, std::filesystem::file_time_type run_start) {
  std::string names;
  for (const char* name : {"adapter/", "results.json", "labels.json", "log.jsonl", "predictions.json",
                           "null_odds.json", "generated_predictions.jsonl", "rank_pattern.json",
                           "rank_heatmap.svg", "budget_curve.svg"}) {
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(std::filesystem::path(dir) / name, ec);
    if (!ec && written >= run_start) names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return names;
}
}  // namespace

Command train_command() {
  return {"train", "Fine-tune a model folder on a task with AdaLoRA, LoRA, full fine-tuning or BitFit",
          [](CLI::App& app) {
            auto f = std::make_shared<TrainFlags>();
            app.add_option("--config", f->config_file, "JSON file with settings (flags override it)");
            app.add_option("--preset", f->preset, "A preset: a name (demo, glue/rte_0.3M) or a JSON file");
            flag<std::string>(app, *f, "model", "model", "HuggingFace model folder (config.json, model.safetensors, tokenizer)");
            flag<std::string>(app, *f, "tokenizer", "tokenizer", "Tokenizer folder or file (default: the model folder)");
            flag<std::string>(app, *f, "task", "task", "glue/cola|sst2|mrpc|qqp|stsb|mnli|qnli|rte, classification, regression, "
                              "causal_lm, seq2seq, summarization, summarization/xsum|cnn_dailymail, squad, squad_v2");
            flag<std::string>(app, *f, "data-dir", "data_dir", "Folder of the task's files (GLUE: e.g. glue_data/RTE)");
            flag<std::string>(app, *f, "train-file", "train_file", "Training file (JSONL/CSV for generic tasks)");
            flag<std::string>(app, *f, "eval-file", "eval_file", "Dev file (the test set with --dev-fraction)");
            flag<double>(app, *f, "dev-fraction", "dev_fraction", "Carve this share of the training file as the dev split (stratified); the eval file becomes the test set");
            flag<double>(app, *f, "test-fraction", "test_fraction", "With --dev-fraction and no eval file: carve the test set from the training file too");
            flag<int64_t>(app, *f, "dev-split-seed", "dev_split_seed", "Seed of the dev (and test) split's rows (default 42)");
            flag<std::string>(app, *f, "out", "output_dir", "Output folder (adapter, checkpoints, log, pictures)");
            flag<std::string>(app, *f, "method", "method", method_help());
            flag<int64_t>(app, *f, "max-seq-length", "max_seq_length", "Truncate examples to this many tokens");
            method_flags(app, *f);  // every method's keys, from peft/registry.cpp
            flag<double>(app, *f, "learning-rate", "learning_rate", "Peak learning rate");
            flag<int64_t>(app, *f, "batch-size", "per_device_train_batch_size", "Examples per micro-batch");
            flag<int64_t>(app, *f, "gradient-accumulation-steps", "gradient_accumulation_steps", "Micro-batches per optimizer step");
            flag<double>(app, *f, "epochs", "num_train_epochs", "Training epochs");
            flag<int64_t>(app, *f, "max-steps", "max_steps", "Total optimizer steps (overrides epochs)");
            flag<int64_t>(app, *f, "warmup-steps", "warmup_steps", "Linear warm-up steps");
            flag<double>(app, *f, "warmup-ratio", "warmup_ratio", "Linear warm-up as a share of the steps");
            flag<double>(app, *f, "weight-decay", "weight_decay", "AdamW weight decay");
            flag<double>(app, *f, "max-grad-norm", "max_grad_norm", "Gradient clipping (≤ 0: off)");
            flag<int64_t>(app, *f, "seed", "seed", "Seed of initialisation, dropout and data order");
            flag<std::string>(app, *f, "device", "device", "cpu (default), cuda or cuda:N");
            flag<std::string>(app, *f, "dtype", "dtype", "Compute dtype of the base model: float32 (default) or bfloat16");
            flag<int64_t>(app, *f, "eval-steps", "eval_steps", "Evaluate every N steps (and at the end)");
            flag<int64_t>(app, *f, "logging-steps", "logging_steps", "Log every N steps");
            flag<int64_t>(app, *f, "save-steps", "save_steps", "Resume checkpoint every N steps");
            flag<double>(app, *f, "label-smoothing-factor", "label_smoothing_factor", "HF's label smoothing ε (generative tasks)");
            flag<std::string>(app, *f, "source-column", "source_column", "seq2seq source column (default: the task's, e.g. document)");
            flag<std::string>(app, *f, "target-column", "target_column", "seq2seq target column (default: the task's, e.g. summary)");
            flag<int64_t>(app, *f, "max-target-length", "max_target_length", "seq2seq: truncate targets to this many tokens (128)");
            flag<bool>(app, *f, "predict-with-generate", "predict_with_generate", "seq2seq: evaluate by generation + ROUGE (true)");
            flag<int64_t>(app, *f, "num-beams", "generation_num_beams", "seq2seq evaluation: beam size");
            flag<int64_t>(app, *f, "generation-max-length", "generation_max_length", "seq2seq evaluation: max_length (default max-target-length)");
            flag<double>(app, *f, "length-penalty", "length_penalty", "seq2seq evaluation: beam length penalty");
            flag<int64_t>(app, *f, "no-repeat-ngram-size", "no_repeat_ngram_size", "seq2seq evaluation: no_repeat_ngram_size");
            flag<int64_t>(app, *f, "doc-stride", "doc_stride", "squad: tokens shared by consecutive windows of a context (128)");
            flag<int64_t>(app, *f, "n-best-size", "n_best_size", "squad: start/end candidates per window (20)");
            flag<int64_t>(app, *f, "max-answer-length", "max_answer_length", "squad: longest answer in tokens (30)");
            flag<double>(app, *f, "null-score-diff-threshold", "null_score_diff_threshold",
                         "squad_v2: no answer when null score − best span score > this (0)");
            app.add_flag("--resume", f->resume, "Continue from OUT/checkpoint, bit-exactly");
            app.add_flag("--overwrite", f->overwrite, "Replace a run already in OUT (else such an OUT is refused)")
                ->excludes("--resume");
            app.add_option("--nproc-per-node", f->nproc_per_node,
                           "Data-parallel ranks started on this machine (torchrun-style; the "
                           "batch size is per rank)");
            app.add_option("--dist-timeout", f->dist_timeout,
                           "Seconds a rank waits for the others (c10d timeout) before failing");
            app.add_flag("--check-replicas", f->check_replicas,
                         "Debug: compare the ranks' masks and adapters every ΔT steps");
            // Hidden (empty group): interrupts the run like a stop request, for resume tests.
            app.add_option("--stop-after-steps", f->stop_after_steps, "Stop after N optimizer steps")->group("");
            return [f]() {
              std::string source;
              io::Json merged = merge_run_config(f->preset, f->config_file, f->overrides, &source);
              if (f->overwrite) merged["overwrite_output_dir"] = true;
              if (train::is_comparison(merged) && f->overrides.contains("method")) {
                // `--preset demo --method lora`: only that run of the comparison.
                merged = select_run(merged, f->overrides.at("method").get<std::string>(), source);
              }
              const auto env = dist::Environment::from_env();
              if (f->nproc_per_node > 1 && !env) return launch_ranks(*f, merged);
              std::shared_ptr<dist::ProcessGroup> group;
              if (env) {  // a rank: started by --nproc-per-node, torchrun, srun or a k8s job
                ADALORA_CHECK(!train::is_comparison(merged), "train: a comparison (\"compare\" in ",
                              source, ") runs in one process; train one method per distributed run");
                group = dist::ProcessGroup::connect(
                    *env, {std::chrono::milliseconds(static_cast<int64_t>(f->dist_timeout * 1000))});
              }
              const bool tty = ::isatty(STDOUT_FILENO) != 0;
              Progress progress(tty, f->stop_after_steps);
              if (train::is_comparison(merged)) {
                ADALORA_CHECK(!f->resume, "--resume: not supported for a comparison (\"compare\" in ", source,
                                          "); runs are deterministic: rerun it, or one run with --method NAME");
                const size_t n = merged.at("compare").size();
                const auto runs = train::compare_methods(
                    merged, source,
                    [&](size_t i, const std::string& name) {
                      std::cout << (i ? "\n" : "") << "== run " << i + 1 << "/" << n << ": " << name << "\n" << std::flush;
                      progress.restart();
                    },
                    std::ref(progress));
                if (runs.size() < n) {
                  std::cout << "\nstopped; the finished runs are in " << merged.at("output_dir").get<std::string>()
                            << "/results.json\n";
                  return 0;
                }
                print_comparison(runs, merged.at("output_dir").get<std::string>());
                return 0;
              }
              train::FineTuneConfig config = train::fine_tune_config_from_json(merged, source);
              config.trainer.resume = f->resume;
              config.trainer.check_replicas = f->check_replicas;
              // One second early: file times come from the kernel's coarser clock.
              const auto run_start = std::filesystem::file_time_type::clock::now() - std::chrono::seconds(1);
              const train::FineTuneResult r = train::fine_tune(config, std::ref(progress), group);
              if (r.train.stopped) {
                std::cout << "\nstopped after step " << r.train.global_step << "; checkpoint in " << r.output_dir
                          << "/checkpoint (continue with --resume)\n";
                return 0;
              }
              std::cout << "\n" << config.method << " on " << config.task << ": " << r.train.global_step
                        << " steps" << (group ? " on " + std::to_string(group->world_size()) + " ranks" : "")
                        << " in " << format_duration(r.wall_seconds) << ", trainable parameters "
                        << r.trainable_parameters << " of " << r.total_parameters << "\n";
              for (const auto& [name, value] : r.metrics) {
                std::cout << "  " << std::left << std::setw(24) << name << std::fixed << std::setprecision(4) << value
                          << (name == r.primary_metric ? "  (primary)" : "") << "\n";
              }
              std::cout << "wrote " << r.output_dir << "/{" << train_files_written(r.output_dir, run_start) << "}\n";
              return 0;
            };
          }};
}

}  // namespace adalora::cli
