// `adalora experiment CONFIG`: a sweep over methods × budget levels × learning rates × seeds
// (experiments/sweep_plan.h), then its table (learning rate chosen on dev, test mean ± std over
// seeds) and figures. Finished cells are skipped, so rerunning an interrupted sweep continues it.
// `--jobs N` runs N cells at a time, each as its own `adalora train` process with threads/N threads
// (LibTorch's generator is process-global: cells sharing a process would not be reproducible).
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>

#include <filesystem>
#include <iostream>
#include <mutex>

#include "adalora/core/error.h"
#include "adalora/experiments/sweep.h"
#include "adalora/experiments/sweep_figures.h"
#include "adalora/experiments/sweep_table.h"
#include "adalora/io/json.h"
#include "tools/adalora/command.h"
#include "tools/adalora/run_config.h"

extern char** environ;

namespace adalora::cli {
namespace {
namespace fs = std::filesystem;

struct ExperimentFlags {
  std::string config;
  std::string out;
  int64_t jobs = 1;
  bool report_only = false;
  int64_t stop_after_cells = 0;  // hidden: like a kill after N cells, for tests
};

std::string describe(const experiments::SweepCell& c) {
  return c.name + (c.budget == "-" ? "" : " " + c.budget) + " " + experiments::learning_rate_label(c.learning_rate) +
         " seed" + std::to_string(c.seed);
}

// One cell as `adalora --threads K train --config <dir>/cell.json [--resume]`, output to train.log.
experiments::CellRunner process_runner(int64_t threads) {
  return [threads](const experiments::SweepCell& cell, bool resume) {
    // Exec /proc/self/exe, not the path it names: a rebuild or upgrade of the binary during a
    // long sweep replaces that file ("… (deleted)"), and the cells must keep running the program
    // that planned them. The path stays the child's argv[0], for ps and error messages.
    const std::string exe = fs::read_symlink("/proc/self/exe").string();
    std::vector<std::string> args = {exe, "--threads", std::to_string(threads), "train", "--config",
                                     cell.dir + "/cell.json"};
    // A cell killed before its first checkpoint left a partial run: start it again.
    args.push_back(resume ? "--resume" : "--overwrite");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = cell.dir + "/train.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ADALORA_CHECK(rc == 0, "experiment: cannot start ", exe, " for ", cell.dir, " (error ", rc, ")");
    int status = 0;
    waitpid(pid, &status, 0);
    ADALORA_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, cell.dir, ": the cell's training failed (",
                  WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                    : "signal " + std::to_string(WTERMSIG(status)),
                  "); its output is in ", log);
    return true;
  };
}

int run(const ExperimentFlags& f) {
  std::string source;
  io::Json config = merge_run_config(f.config, "", io::Json::object(), &source);
  if (!f.out.empty()) config["output_dir"] = f.out;  // relative to the working directory
  // Absolute, so that each cell.json means the same from its own folder (merge_run_config rebases).
  for (const char* key : {"model", "tokenizer", "data_dir", "train_file", "eval_file", "output_dir"}) {
    if (!config.contains(key) || !config.at(key).is_string()) continue;
    if (config.contains("data_dir") && (std::string(key) == "train_file" || std::string(key) == "eval_file")) continue;
    config[key] = fs::absolute(config.at(key).get<std::string>()).lexically_normal().string();
  }
  const experiments::SweepPlan plan = experiments::plan_sweep(config, source);
  const size_t n = plan.cells.size();
  std::cout << "experiment " << source << ": " << plan.methods.size() << " methods, " << n << " cells, metric "
            << plan.metric << ", " << f.jobs << " at a time\n" << std::flush;
  experiments::SweepStatus status;
  if (!f.report_only) {
    std::mutex print;
    experiments::SweepOptions options;
    options.jobs = f.jobs;
    options.stop_after_cells = f.stop_after_cells;
    if (f.jobs > 1) options.runner = process_runner(std::max<int64_t>(1, at::get_num_threads() / f.jobs));
    options.on_cell = [&](size_t i, bool skipped) {
      std::lock_guard<std::mutex> lock(print);
      std::cout << (skipped ? "   skip " : "== cell ") << i + 1 << "/" << n << ": " << describe(plan.cells[i])
                << (skipped ? " (finished)" : "") << "\n" << std::flush;
    };
    options.on_cell_done = [&](size_t i) {
      const auto r = experiments::read_cell_result(plan.cells[i], plan.metric);
      std::lock_guard<std::mutex> lock(print);
      std::cout << "   done " << i + 1 << "/" << n << ": " << describe(plan.cells[i]) << ": dev " << plan.metric
                << " " << r->dev << ", test " << r->test << "\n" << std::flush;
    };
    status = experiments::run_sweep(plan, options);
    std::cout << "ran " << status.ran << " cells, skipped " << status.skipped << " finished ones\n";
  } else {
    status.complete = true;
    for (const auto& c : plan.cells) status.complete = status.complete && experiments::cell_finished(c);
  }
  const auto rows = experiments::write_sweep_report(plan, status.complete);
  const auto figures = experiments::write_sweep_figures(plan, rows);
  std::cout << "\n" << experiments::sweep_markdown(plan, rows, status.complete) << "\nwrote " << plan.output_dir
            << "/{experiment.json, results.csv, results.md";
  for (const auto& name : figures) std::cout << ", " << name;
  std::cout << "}\n";
  if (!status.complete && !f.report_only) {
    std::cout << "stopped before the end; run the same command again to continue\n";
  }
  return 0;
}

}  // namespace

Command experiment_command() {
  return {"experiment", "Sweep methods × budgets × learning rates × seeds; table with lr chosen on dev",
          [](CLI::App& app) {
            auto f = std::make_shared<ExperimentFlags>();
            app.add_option("config", f->config, "Experiment file, or a preset name (study/fine_foods)")->required();
            app.add_option("--out", f->out, "Output folder (overrides the file's output_dir)");
            app.add_option("--jobs", f->jobs, "Cells at a time, each its own process with threads / N threads");
            app.add_flag("--report-only", f->report_only, "Only rebuild the table and figures from finished cells");
            app.add_option("--stop-after-cells", f->stop_after_cells, "Stop after N cells")->group("");
            return [f]() { return run(*f); };
          }};
}

}  // namespace adalora::cli
