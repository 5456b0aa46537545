// The paper's figures drawn from a sweep (SVG, experiments/svg_chart.h):
//   figure2_performance.svg — test metric (mean ± std over seeds, at the dev-chosen learning rate)
//     against the parameters each method keeps, one line per method through its budget levels
//     (paper Figure 2);
//   figure4_orthogonality.svg — Σ‖PᵀP − I‖²_F and Σ‖QQᵀ − I‖²_F over training (paper Figure 4),
//     from log.jsonl ("orth_P", "orth_Q") of each row's chosen learning rate and first seed; only
//     when some method logs them (AdaLoRA).
// Figure 3 (final ranks per layer × matrix type) is each AdaLoRA cell's rank_heatmap.svg.
#pragma once

#include <string>
#include <vector>

#include "adalora/experiments/svg_chart.h"
#include "adalora/experiments/sweep_plan.h"
#include "adalora/experiments/sweep_table.h"

namespace adalora::experiments {

Chart performance_chart(const SweepPlan& plan, const std::vector<SweepRow>& rows);

/// Empty series when no row's log has the orthogonality numbers.
Chart orthogonality_chart(const SweepPlan& plan, const std::vector<SweepRow>& rows);

/// (step, value) of every log line of `log_path` (log.jsonl) that has `key`; Error naming the file
/// on a line that is not JSON.
std::vector<std::pair<int64_t, double>> read_log_series(const std::string& log_path, const std::string& key);

/// Writes the figures that have data into plan.output_dir; returns their file names.
std::vector<std::string> write_sweep_figures(const SweepPlan& plan, const std::vector<SweepRow>& rows);

}  // namespace adalora::experiments
