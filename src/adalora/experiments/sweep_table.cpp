#include "adalora/experiments/sweep_table.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>
#include <tuple>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"

namespace adalora::experiments {
namespace fs = std::filesystem;

namespace {

// Mean and sample standard deviation (n − 1; 0 for one value).
std::pair<double, double> mean_std(const std::vector<double>& v) {
  if (v.empty()) return {0, 0};
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  if (v.size() < 2) return {mean, 0};
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

std::string lr_text(double lr) { return learning_rate_label(lr).substr(2); }

io::Json stats_json(const LearningRateStats& s) {
  return {{"learning_rate", s.learning_rate}, {"seeds", s.seeds},       {"dev_mean", s.dev_mean},
          {"dev_std", s.dev_std},             {"test_mean", s.test_mean}, {"test_std", s.test_std}};
}

}  // namespace

std::optional<CellResult> read_cell_result(const SweepCell& cell, const std::string& metric) {
  const std::string path = (fs::path(cell.dir) / "results.json").string();
  if (!fs::exists(path)) return std::nullopt;
  const io::Json j = io::load_json_file(path);
  io::JsonObject o(j, path);
  const io::JsonObject metrics = o.object("metrics");
  CellResult r;
  r.name = cell.name;
  r.budget = cell.budget;
  r.learning_rate = cell.learning_rate;
  r.seed = cell.seed;
  r.dev = metrics.get<double>("dev/" + metric);
  r.test = metrics.get<double>("test/" + metric);
  r.kept_params = o.get<int64_t>("kept_params");
  r.trainable_params = o.get<int64_t>("trainable_params");
  r.total_params = o.get<int64_t>("total_params");
  return r;
}

std::vector<CellResult> read_sweep_results(const SweepPlan& plan) {
  std::vector<CellResult> out;
  for (const auto& cell : plan.cells) {
    if (auto r = read_cell_result(cell, plan.metric)) out.push_back(*r);
  }
  return out;
}

std::vector<SweepRow> summarize_sweep(const SweepPlan& plan, const std::vector<CellResult>& results) {
  std::vector<SweepRow> rows;
  for (const auto& name : plan.methods) {
    for (const auto& budget : plan.budgets) {
      // Learning rates in grid order (the plan's cell order), with their seeds' results.
      std::vector<double> rates;
      for (const auto& c : plan.cells) {
        if (c.name == name && c.budget == budget &&
            std::find(rates.begin(), rates.end(), c.learning_rate) == rates.end()) {
          rates.push_back(c.learning_rate);
        }
      }
      SweepRow row;
      row.name = name;
      row.budget = budget;
      std::map<double, std::vector<const CellResult*>> by_rate;
      for (const auto& r : results) {
        if (r.name == name && r.budget == budget) by_rate[r.learning_rate].push_back(&r);
      }
      std::optional<size_t> best;
      for (const double lr : rates) {
        const auto& cells = by_rate[lr];
        if (cells.empty()) continue;
        std::vector<double> dev, test;
        for (const auto* c : cells) dev.push_back(c->dev), test.push_back(c->test);
        LearningRateStats s;
        s.learning_rate = lr;
        s.seeds = static_cast<int64_t>(cells.size());
        std::tie(s.dev_mean, s.dev_std) = mean_std(dev);
        std::tie(s.test_mean, s.test_std) = mean_std(test);
        row.grid.push_back(s);
        if (!best || s.dev_mean > row.grid[*best].dev_mean) best = row.grid.size() - 1;  // ties: earlier lr
      }
      if (!best) continue;
      row.chosen = row.grid[*best];
      double params = 0, total = 0;
      for (const auto* c : by_rate[row.chosen.learning_rate]) {
        params += static_cast<double>(c->kept_params);
        total = static_cast<double>(c->total_params);
      }
      row.kept_params = params / static_cast<double>(row.chosen.seeds);
      row.share_of_model = total > 0 ? row.kept_params / total : 0;
      rows.push_back(row);
    }
  }
  return rows;
}

io::Json sweep_json(const SweepPlan& plan, const std::vector<SweepRow>& rows, bool complete) {
  io::Json out = {{"source", plan.source},
                  {"metric", plan.metric},
                  {"selection", "learning rate with the best mean dev/" + plan.metric + " over seeds"},
                  {"reported", "mean ± sample std (n − 1) over seeds of test/" + plan.metric + " at that rate"},
                  {"complete", complete},
                  {"cells", plan.cells.size()}};
  io::Json list = io::Json::array();
  for (const auto& r : rows) {
    io::Json grid = io::Json::array();
    for (const auto& s : r.grid) grid.push_back(stats_json(s));
    list.push_back({{"method", r.name},
                    {"budget", r.budget},
                    {"kept_params", r.kept_params},
                    {"share_of_model", r.share_of_model},
                    {"chosen", stats_json(r.chosen)},
                    {"grid", grid}});
  }
  out["rows"] = list;
  return out;
}

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  std::ostringstream s;
  s << "method,budget,kept_params,share_of_model,learning_rate,test_mean,test_std,dev_mean,dev_std,seeds\n";
  s << std::setprecision(10);
  for (const auto& r : rows) {
    s << r.name << "," << r.budget << "," << r.kept_params << "," << r.share_of_model << ","
      << r.chosen.learning_rate << "," << r.chosen.test_mean << "," << r.chosen.test_std << ","
      << r.chosen.dev_mean << "," << r.chosen.dev_std << "," << r.chosen.seeds << "\n";
  }
  return s.str();
}

std::string sweep_markdown(const SweepPlan& plan, const std::vector<SweepRow>& rows, bool complete) {
  std::ostringstream s;
  s << "| method | budget | kept params | % of model | lr (chosen on dev) | test " << plan.metric
    << " (mean ± std) | dev " << plan.metric << " | seeds |\n";
  s << "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : rows) {
    s << "| " << r.name << " | " << r.budget << " | " << std::llround(r.kept_params) << " | "
      << fixed(100 * r.share_of_model, 2) << " | " << lr_text(r.chosen.learning_rate) << " | "
      << fixed(r.chosen.test_mean, 3) << " ± " << fixed(r.chosen.test_std, 3) << " | "
      << fixed(r.chosen.dev_mean, 3) << " | " << r.chosen.seeds << " |\n";
  }
  s << "\nThe learning rate of each row is the one with the best mean dev " << plan.metric
    << " over seeds (dev: a split carved from the training file); test is the eval file, never used to choose."
    << " std: sample standard deviation over seeds (n − 1).";
  if (!complete) s << " **Incomplete sweep**: some cells have not finished; the seeds column says how many did.";
  s << "\n";
  return s.str();
}

std::vector<SweepRow> write_sweep_report(const SweepPlan& plan, bool complete) {
  const auto rows = summarize_sweep(plan, read_sweep_results(plan));
  const fs::path out(plan.output_dir);
  fs::create_directories(out);
  io::save_json_file((out / "experiment.json").string(), sweep_json(plan, rows, complete));
  io::write_file_atomic((out / "results.csv").string(), sweep_csv(rows));
  io::write_file_atomic((out / "results.md").string(), sweep_markdown(plan, rows, complete));
  return rows;
}

}  // namespace adalora::experiments
