// Several PEFT methods on the same model, data and seed, one after the other, with one summary:
// the main job's default (`adalora train --preset demo`: AdaLoRA next to LoRA at the same final
// budget) and any user's own comparison. A configuration is a fine-tuning JSON (finetune.h keys)
// plus "compare": a list of runs, each an object with "method" (and optionally "name", default the
// method) and the keys that differ for that run, e.g.
//   {"model": …, "train_file": …, "eval_file": …, "learning_rate": 1e-3,
//    "compare": [{"method": "adalora", "init_r": 12, "target_r": 8}, {"method": "lora", "r": 8}]}
// Run i writes output_dir/<name>/ (adapter, results.json, …); output_dir/results.json holds, per
// run name, its headline numbers (see MethodSummary).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/train/finetune.h"

namespace adalora::train {

/// One run's line of the comparison (the object under its name in output_dir/results.json).
struct MethodSummary {
  std::string name, method;
  FineTuneResult result;
  /// results.json fields: "accuracy" and "f1" (the task's F1; macro-F1 for generic
  /// classification, named in "f1_metric") when the task has them, "trainable_params" (what the
  /// finished adapter keeps — AdaLoRA at its final ranks, as the paper's tables count), 
  /// "trainable_params_during_training", "wall_seconds", "optimizer_steps", "metrics" (all),
  /// "eval_split" ("test" when the run carved a dev split, else the selection split),
  /// "output_dir"; AdaLoRA adds "final_total_rank".
  io::Json json;
};

/// True when `config` is a comparison (has "compare").
bool is_comparison(const io::Json& config);

/// Runs every entry of config["compare"] in order. `on_start(i, name)` is called before run i
/// (for the CLI's headers); `progress` sees every step of every run. Errors name `source` and the
/// entry's index. Writes output_dir/results.json atomically after each finished run, so an
/// interrupted comparison keeps the runs it finished.
std::vector<MethodSummary> compare_methods(const io::Json& config, const std::string& source,
                                           const std::function<void(size_t, const std::string&)>& on_start = {},
                                           StepCallback progress = {});

}  // namespace adalora::train
