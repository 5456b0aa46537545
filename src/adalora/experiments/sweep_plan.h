// The cells of an experiment: methods × budget levels × learning rates × seeds on one model and
// task (the paper's protocol: a learning-rate grid per method, chosen on dev, several seeds).
//
// An experiment file is a fine-tuning JSON (train/finetune.h keys, shared by every cell) plus:
//   "methods":        [{"name": "adalora", "method": "adalora", <method keys>,
//                       "budgets": {"small": {"init_r": 3, "target_r": 2}, …},
//                       "learning_rates": [...] (optional: this method's own grid)}, …]
//   "budgets":        ["small", "large"]   (optional: the level names, in table order)
//   "learning_rates": [5e-4, 1e-3, 2e-3]
//   "seeds":          [1, 2, 3]
//   "metric":         "accuracy"            (optional: default the task's primary metric)
// A method entry may carry any key `adalora train` accepts; its "budgets" map a level name to the
// keys that set that level (LoRA "r", AdaLoRA "init_r"/"target_r", an adapter's size …), so new
// PEFT methods need nothing here. A method without "budgets" (full fine-tuning, BitFit) has one
// level, "-". "dev_fraction" > 0 is required: the learning rate is chosen on that dev split and
// the eval file is reported as the test set. Cell i writes
//   output_dir/<name>/<budget>/lr<learning rate>/seed<seed>/   (cell.json = its fine-tuning JSON)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::experiments {

/// One fine-tuning run of the grid.
struct SweepCell {
  std::string name;    ///< the method entry's "name" (default: its "method")
  std::string method;  ///< peft registry name
  std::string budget;  ///< level name; "-" for a method without levels
  double learning_rate = 0;
  int64_t seed = 0;
  std::string dir;     ///< the cell's output folder
  io::Json config;     ///< its fine-tuning JSON (finetune.h keys, output_dir = dir)
};

struct SweepPlan {
  std::string source;                ///< the experiment file, for messages
  std::string output_dir;
  std::string metric;                ///< e.g. "accuracy": read as "dev/<metric>", "test/<metric>"
  std::vector<std::string> methods;  ///< entry names, in file order
  std::vector<std::string> budgets;  ///< level names, in file order (["-"] when none)
  std::vector<SweepCell> cells;      ///< method, budget, learning rate, seed (outer → inner)
};

/// Builds every cell of `config` and validates each one as `adalora train` would, before any
/// runs. Errors name `source` and the key ("<source>: methods[1].budgets.small: unknown keys: rr").
SweepPlan plan_sweep(const io::Json& config, const std::string& source);

/// "lr0.002", "lr5e-05": the folder name of a learning rate (shortest round-trip form).
std::string learning_rate_label(double learning_rate);

}  // namespace adalora::experiments
