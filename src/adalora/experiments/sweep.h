// Runs the cells of a sweep (experiments/sweep_plan.h), skipping those already finished, so an
// interrupted sweep continues where it stopped: a cell is finished when its results.json exists
// (train/finetune.cpp writes it atomically, last). A cell stopped half-way left a checkpoint and
// resumes from it (bit-exact, train/trainer.h).
//
// In one process the cells run one after another: LibTorch's default generator (dropout, head
// initialisation) is process-global, so two cells in two threads would draw from one stream and
// neither would be reproducible. `jobs` > 1 therefore needs a runner that starts each cell in its
// own process (the CLI's: `adalora --threads K train --config cell.json`).
#pragma once

#include <cstdint>
#include <functional>

#include "adalora/experiments/sweep_plan.h"
#include "adalora/train/trainer.h"

namespace adalora::experiments {

/// Runs one cell to its end (true) or until it was stopped (false). `resume`: the cell has a
/// checkpoint to continue from. Must leave <cell.dir>/results.json when it returns true.
using CellRunner = std::function<bool(const SweepCell& cell, bool resume)>;

/// The in-process runner: train::fine_tune on the cell's JSON, `progress` seeing every step.
CellRunner in_process_runner(train::StepCallback progress = {});

struct SweepOptions {
  int64_t jobs = 1;    ///< cells at a time; > 1 needs `runner` (see above)
  CellRunner runner;   ///< default: in_process_runner()
  /// Called before each cell (index into plan.cells), `skipped` when it was already finished.
  /// Called from the worker threads when jobs > 1; the caller serialises its output.
  std::function<void(size_t index, bool skipped)> on_cell;
  /// Called after each cell that ran to its end (same threads as on_cell).
  std::function<void(size_t index)> on_cell_done;
  int64_t stop_after_cells = 0;  ///< > 0: start no new cell after this many ran (tests, like a kill)
};

struct SweepStatus {
  int64_t ran = 0;      ///< cells run to their end now
  int64_t skipped = 0;  ///< cells found finished
  bool complete = false;  ///< every cell is finished
};

/// True when the cell's results.json exists.
bool cell_finished(const SweepCell& cell);

/// Runs the unfinished cells of `plan` (see the file comment); writes each cell.json first.
SweepStatus run_sweep(const SweepPlan& plan, const SweepOptions& options = {});

}  // namespace adalora::experiments
