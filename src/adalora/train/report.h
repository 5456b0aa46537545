// What a run hands back besides the adapter: where AdaLoRA put its budget. rank_pattern.json,
// a heatmap of final ranks (layers × matrix type, like the paper's Figure 3) and the budget curve
// b(t) (paper eq. (12)), as standalone SVG files a browser opens.
#pragma once

#include <string>
#include <vector>

#include "adalora/peft/adalora/budget_schedule.h"
#include "adalora/peft/adalora/rank_allocator.h"

namespace adalora::train {

/// A module path split into its layer index and matrix type, e.g.
/// "deberta.encoder.layer.3.attention.self.query_proj" → {3, "attention.self.query_proj"}.
/// Paths without an integer component get layer −1.
struct MatrixCoordinates {
  int64_t layer = -1;
  std::string type;
};
MatrixCoordinates matrix_coordinates(const std::string& module_path);

/// {"<module>": {"rank": r, "mask": [bools]}, ...} plus totals, written atomically.
void write_rank_pattern_json(const std::string& path, const std::vector<peft::MatrixRank>& ranks,
                             int64_t init_r);

/// SVG heatmap: one row per matrix type, one column per layer, cell = final rank (number shown).
std::string rank_heatmap_svg(const std::vector<peft::MatrixRank>& ranks, int64_t init_r,
                             const std::string& title);

/// SVG line chart of b(t) over 0..total_step, with the warm-up and final-phase boundaries; and,
/// when given, the kept total rank measured at logged steps as dots.
std::string budget_curve_svg(const peft::BudgetSchedule& schedule,
                             const std::vector<std::pair<int64_t, int64_t>>& measured_total_rank,
                             const std::string& title);

/// SVG line chart of a logged loss: (step, loss) points over 0..total_steps (pre-training's
/// mlm_loss_curve.svg). The y axis spans [min, max] of the losses, rounded out to a whole number.
std::string loss_curve_svg(const std::vector<std::pair<int64_t, double>>& points, int64_t total_steps,
                           const std::string& title, const std::string& y_label);

}  // namespace adalora::train
