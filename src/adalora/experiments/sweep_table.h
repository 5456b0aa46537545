// The sweep's answer: per method and budget level, the learning rate with the best mean dev metric
// over seeds, and at that learning rate the mean ± sample standard deviation (n − 1) over seeds of
// the test metric — the paper's protocol (Appendix D.2, E.2: lr from a grid, mean of seeds). The
// test set never selects anything; ties in dev go to the earlier learning rate of the grid.
// Written as experiment.json, results.csv and results.md in the sweep's folder.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adalora/experiments/sweep_plan.h"
#include "adalora/io/json.h"

namespace adalora::experiments {

/// What a finished cell measured (from its results.json).
struct CellResult {
  std::string name, budget;
  double learning_rate = 0;
  int64_t seed = 0;
  double dev = 0;   ///< "dev/<metric>"
  double test = 0;  ///< "test/<metric>"
  int64_t kept_params = 0;       ///< what the finished adapter keeps (the paper's "# Params")
  int64_t trainable_params = 0;  ///< what the optimizer trained
  int64_t total_params = 0;      ///< the whole model
};

/// Reads <cell.dir>/results.json; nullopt when the cell has not finished. Error naming the file
/// when "dev/<metric>" or "test/<metric>" is missing.
std::optional<CellResult> read_cell_result(const SweepCell& cell, const std::string& metric);

/// Mean and spread of one (method, budget, learning rate) over its seeds.
struct LearningRateStats {
  double learning_rate = 0;
  int64_t seeds = 0;  ///< finished seeds
  double dev_mean = 0, dev_std = 0, test_mean = 0, test_std = 0;
};

/// One line of the table.
struct SweepRow {
  std::string name, budget;
  double kept_params = 0;       ///< mean over the chosen lr's seeds (AdaLoRA's varies a little)
  double share_of_model = 0;    ///< kept_params / the model's parameters (as the paper's tables)
  std::vector<LearningRateStats> grid;  ///< every learning rate with ≥ 1 finished seed
  LearningRateStats chosen;              ///< the best mean dev metric
};

/// Rows in plan order (method, then budget); a (method, budget) without finished cells is left out.
std::vector<SweepRow> summarize_sweep(const SweepPlan& plan, const std::vector<CellResult>& results);

/// Reads every finished cell of `plan`.
std::vector<CellResult> read_sweep_results(const SweepPlan& plan);

/// experiment.json: the rows with their grids, the metric, and whether every cell finished.
io::Json sweep_json(const SweepPlan& plan, const std::vector<SweepRow>& rows, bool complete);
/// results.csv: one line per row (method,budget,kept_params,share,lr,test_mean,test_std,dev_mean,seeds).
std::string sweep_csv(const std::vector<SweepRow>& rows);
/// results.md: the Markdown table ("0.742 ± 0.011").
std::string sweep_markdown(const SweepPlan& plan, const std::vector<SweepRow>& rows, bool complete);

/// Writes the three files atomically into plan.output_dir; returns the rows.
std::vector<SweepRow> write_sweep_report(const SweepPlan& plan, bool complete);

}  // namespace adalora::experiments
