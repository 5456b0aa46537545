#include "adalora/experiments/sweep.h"

#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "adalora/core/error.h"
#include "adalora/train/finetune.h"
#include "adalora/train/train_state.h"

namespace adalora::experiments {
namespace fs = std::filesystem;

bool cell_finished(const SweepCell& cell) { return fs::exists(fs::path(cell.dir) / "results.json"); }

CellRunner in_process_runner(train::StepCallback progress) {
  return [progress](const SweepCell& cell, bool resume) {
    train::FineTuneConfig config = train::fine_tune_config_from_json(cell.config, cell.dir + "/cell.json");
    config.trainer.resume = resume;
    // A cell killed before its first checkpoint left a partial run: start it again.
    config.trainer.overwrite = !resume;
    return !train::fine_tune(config, progress).train.stopped;
  };
}

SweepStatus run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  ADALORA_CHECK(options.jobs >= 1, "experiment: --jobs: expected ≥ 1, got ", options.jobs);
  ADALORA_CHECK(options.jobs == 1 || options.runner, "experiment: --jobs ", options.jobs,
                ": cells in one process share LibTorch's global generator; expected a runner that starts "
                "each cell in its own process");
  const CellRunner runner = options.runner ? options.runner : in_process_runner();
  SweepStatus status;
  std::mutex mutex;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> started{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;

  auto work = [&] {
    while (!stop) {
      const size_t i = next++;
      if (i >= plan.cells.size()) return;
      const SweepCell& cell = plan.cells[i];
      if (cell_finished(cell)) {
        if (options.on_cell) options.on_cell(i, true);
        std::lock_guard<std::mutex> lock(mutex);
        ++status.skipped;
        continue;
      }
      if (options.stop_after_cells > 0 && started++ >= options.stop_after_cells) {
        stop = true;
        return;
      }
      try {
        if (options.on_cell) options.on_cell(i, false);
        fs::create_directories(cell.dir);
        io::save_json_file(cell.dir + "/cell.json", cell.config);
        const bool resume = train::find_checkpoint(cell.dir + "/checkpoint").has_value();
        const bool finished = runner(cell, resume);
        std::lock_guard<std::mutex> lock(mutex);
        if (!finished) {
          stop = true;  // a stop request: the cell keeps its checkpoint
          return;
        }
        ADALORA_CHECK(cell_finished(cell), cell.dir, ": results.json: expected the finished cell's results, "
                                                     "found none");
        ++status.ran;
        if (options.on_cell_done) options.on_cell_done(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
        return;
      }
    }
  };
  if (options.jobs == 1) {
    work();
  } else {
    std::vector<std::thread> workers;
    for (int64_t j = 0; j < options.jobs; ++j) workers.emplace_back(work);
    for (auto& w : workers) w.join();
  }
  if (failure) std::rethrow_exception(failure);
  status.complete = true;
  for (const auto& cell : plan.cells) status.complete = status.complete && cell_finished(cell);
  return status;
}

}  // namespace adalora::experiments
