#include "adalora/experiments/sweep_figures.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"

namespace adalora::experiments {
namespace fs = std::filesystem;

namespace {

std::string row_label(const SweepRow& row) { return row.budget == "-" ? row.name : row.name + " " + row.budget; }

// The folder of the row's chosen learning rate and first seed (the plan's order).
const SweepCell* first_chosen_cell(const SweepPlan& plan, const SweepRow& row) {
  for (const auto& c : plan.cells) {
    if (c.name == row.name && c.budget == row.budget && c.learning_rate == row.chosen.learning_rate &&
        fs::exists(fs::path(c.dir) / "results.json")) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<std::pair<int64_t, double>> read_log_series(const std::string& log_path, const std::string& key) {
  std::vector<std::pair<int64_t, double>> out;
  std::ifstream in(log_path);
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const io::Json j = io::Json::parse(line, nullptr, /*allow_exceptions=*/false);
    ADALORA_CHECK(!j.is_discarded() && j.is_object(), log_path, ":", number, ": expected a JSON object per line");
    if (j.contains(key) && j.contains("step")) out.emplace_back(j.at("step").get<int64_t>(), j.at(key).get<double>());
  }
  return out;
}

Chart performance_chart(const SweepPlan& plan, const std::vector<SweepRow>& rows) {
  Chart chart;
  chart.title = "Test " + plan.metric + " against kept parameters (lr chosen on dev; mean ± std over seeds)";
  chart.x_label = "parameters kept by the method";
  chart.y_label = "test " + plan.metric;
  double lo = 0, hi = 0;
  for (const auto& name : plan.methods) {
    ChartSeries series;
    series.label = name;
    for (const auto& r : rows) {
      if (r.name != name) continue;
      series.points.push_back({r.kept_params, r.chosen.test_mean, r.chosen.test_std});
      lo = lo == 0 ? r.kept_params : std::min(lo, r.kept_params);
      hi = std::max(hi, r.kept_params);
    }
    std::sort(series.points.begin(), series.points.end(),
              [](const ChartPoint& a, const ChartPoint& b) { return a.x < b.x; });
    if (!series.points.empty()) chart.series.push_back(series);
  }
  chart.log_x = lo > 0 && hi / lo > 8;  // full fine-tuning next to adapters spans decades
  return chart;
}

Chart orthogonality_chart(const SweepPlan& plan, const std::vector<SweepRow>& rows) {
  Chart chart;
  chart.title = "Orthogonality of P and Q over training (sum over matrices)";
  chart.x_label = "optimizer step";
  chart.y_label = "squared Frobenius deviation";
  double lo = 0, hi = 0;
  int run = 0;  // one colour per run: its P line solid, its Q line dashed
  for (const auto& row : rows) {
    const SweepCell* cell = first_chosen_cell(plan, row);
    if (!cell) continue;
    bool drawn = false;
    const std::string log = (fs::path(cell->dir) / "log.jsonl").string();
    for (const auto& [key, text, dashed] : {std::tuple<const char*, const char*, bool>{"orth_P", "‖PᵀP − I‖²", false},
                                            {"orth_Q", "‖QQᵀ − I‖²", true}}) {
      const auto points = read_log_series(log, key);
      if (points.empty()) continue;
      ChartSeries series;
      series.label = row_label(row) + " (lr " + learning_rate_label(row.chosen.learning_rate).substr(2) +
                     ", seed " + std::to_string(cell->seed) + "): " + text;
      series.dashed = dashed;
      series.markers = false;
      series.style = run;
      drawn = true;
      for (const auto& [step, v] : points) {
        series.points.push_back({static_cast<double>(step), v, 0});
        if (v > 0) {
          lo = lo == 0 ? v : std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      chart.series.push_back(series);
    }
    if (drawn) ++run;
  }
  chart.log_y = lo > 0 && hi / lo > 50;  // the deviation shrinks by orders of magnitude
  return chart;
}

std::vector<std::string> write_sweep_figures(const SweepPlan& plan, const std::vector<SweepRow>& rows) {
  std::vector<std::string> written;
  const fs::path out(plan.output_dir);
  const Chart performance = performance_chart(plan, rows);
  if (!performance.series.empty()) {
    io::write_file_atomic((out / "figure2_performance.svg").string(), chart_svg(performance));
    written.push_back("figure2_performance.svg");
  }
  const Chart orthogonality = orthogonality_chart(plan, rows);
  if (!orthogonality.series.empty()) {
    io::write_file_atomic((out / "figure4_orthogonality.svg").string(), chart_svg(orthogonality));
    written.push_back("figure4_orthogonality.svg");
  }
  return written;
}

}  // namespace adalora::experiments
