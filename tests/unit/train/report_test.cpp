#include "adalora/train/report.h"

#include <gtest/gtest.h>

#include "adalora/io/json.h"
#include "tests/support/golden.h"

namespace adalora::train {
namespace {

TEST(ReportTest, MatrixCoordinatesSplitLayerAndType) {
  auto c = matrix_coordinates("deberta.encoder.layer.11.attention.self.query_proj");
  EXPECT_EQ(c.layer, 11);
  EXPECT_EQ(c.type, "attention.self.query_proj");
  EXPECT_EQ(matrix_coordinates("fc1").layer, -1);
}

TEST(ReportTest, HeatmapShowsEveryRankAndBudgetCurveItsEnds) {
  std::vector<peft::MatrixRank> ranks = {{"encoder.layer.0.output.dense", 5, {}},
                                         {"encoder.layer.1.output.dense", 0, {}},
                                         {"encoder.layer.1.attention.self.query", 7, {}}};
  const std::string svg = rank_heatmap_svg(ranks, 8, "t");
  // Each cell by its tooltip: ">0</text>" alone would also match the axis label of layer 0.
  EXPECT_NE(svg.find("output.dense, layer 0: rank 5</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("output.dense, layer 1: rank 0</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("attention.self.query, layer 1: rank 7</title>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("attention.self.query, layer 0:"), std::string::npos) << "no such matrix, no cell";
  EXPECT_NE(svg.find("attention.self.query"), std::string::npos);
  peft::BudgetSchedule s{96, 48, 10, 20, 5, 100};
  const std::string curve = budget_curve_svg(s, {{50, 60}}, "b(t)");
  EXPECT_NE(curve.find(">96</text>"), std::string::npos);
  EXPECT_NE(curve.find(">48</text>"), std::string::npos);
  EXPECT_NE(curve.find("<circle"), std::string::npos);
}

TEST(ReportTest, LossCurvePlotsEveryPointOnWholeNumberAxis) {
  const std::string svg = loss_curve_svg({{10, 8.7}, {20, 7.1}, {30, 6.2}}, 40, "MLM <loss>", "mean loss");
  EXPECT_NE(svg.find("MLM &lt;loss&gt;"), std::string::npos);  // escaped title
  EXPECT_NE(svg.find(">6</text>"), std::string::npos);          // floor of the minimum
  EXPECT_NE(svg.find(">9</text>"), std::string::npos);          // ceil of the maximum
  EXPECT_NE(svg.find("step (of 40)"), std::string::npos);
  // Three points: x = 60 + 560·step/40; the lowest loss sits lowest (largest y).
  const auto points = svg.substr(svg.find("points=\""));
  EXPECT_NE(points.find("200,"), std::string::npos) << points;
  EXPECT_NE(points.find("340,"), std::string::npos) << points;
  EXPECT_NE(points.find("480,"), std::string::npos) << points;
  EXPECT_EQ(loss_curve_svg({}, 0, "empty", "").find("points=\" \""), std::string::npos);
}

TEST(ReportTest, RankPatternJsonHasTotals) {
  testing::TempDir dir;
  write_rank_pattern_json(dir.file("r.json"), {{"a.0.q", 2, {true, false, true}}, {"a.1.q", 1, {false, false, true}}}, 3);
  auto j = io::load_json_file(dir.file("r.json"));
  EXPECT_EQ(j.at("total_rank").get<int64_t>(), 3);
  EXPECT_EQ(j.at("initial_total_rank").get<int64_t>(), 6);
  EXPECT_EQ(j.at("modules").at("a.0.q").at("mask"), io::Json({true, false, true}));
}

}  // namespace
}  // namespace adalora::train
