// The sweep's plan (cells, validation naming file and key) and its table: the learning rate is
// chosen on dev, never on test, and mean ± std over seeds is as computed by hand.
#include "adalora/experiments/sweep_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "adalora/core/error.h"
#include "adalora/experiments/sweep_figures.h"
#include "adalora/experiments/sweep_plan.h"

namespace adalora::experiments {
namespace {

// 2 methods × 2 budgets × 2 learning rates × 3 seeds; nothing is read from disk to plan.
io::Json experiment() {
  return {{"model", "model"},
          {"task", "classification"},
          {"train_file", "train.jsonl"},
          {"eval_file", "test.jsonl"},
          {"dev_fraction", 0.1},
          {"max_steps", 4},
          {"output_dir", "/sweep"},
          {"budgets", {"small", "large"}},
          {"learning_rates", {1e-3, 2e-3}},
          {"seeds", {1, 2, 3}},
          {"methods",
           {{{"method", "lora"}, {"budgets", {{"small", {{"r", 2}}}, {"large", {{"r", 4}}}}}},
            {{"method", "adalora"},
             {"tinit", 1},
             {"tfinal", 1},
             {"budgets", {{"small", {{"init_r", 3}, {"target_r", 2}}}, {"large", {{"init_r", 6}, {"target_r", 4}}}}}}}}};
}

std::string plan_error(const io::Json& config) {
  try {
    plan_sweep(config, "exp.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

CellResult result(const std::string& name, const std::string& budget, double lr, int64_t seed, double dev,
                  double test, int64_t params = 1000) {
  CellResult r;
  r.name = name, r.budget = budget, r.learning_rate = lr, r.seed = seed, r.dev = dev, r.test = test;
  r.kept_params = params, r.trainable_params = params, r.total_params = 100000;
  return r;
}

TEST(SweepPlanTest, EveryCombinationIsACellWithItsOwnFolderAndKeys) {
  const SweepPlan plan = plan_sweep(experiment(), "exp.json");
  ASSERT_EQ(plan.cells.size(), 24u);
  EXPECT_EQ(plan.metric, "accuracy");  // the classification task's primary metric
  EXPECT_EQ(plan.methods, (std::vector<std::string>{"lora", "adalora"}));
  const SweepCell& c = plan.cells[11];  // lora, large, lr 2e-3, seed 3 (method-major)
  EXPECT_EQ(c.name, "lora");
  EXPECT_EQ(c.budget, "large");
  EXPECT_EQ(c.learning_rate, 2e-3);
  EXPECT_EQ(c.seed, 3);
  EXPECT_EQ(c.dir, "/sweep/lora/large/lr0.002/seed3");
  EXPECT_EQ(c.config.at("r"), 4);
  EXPECT_EQ(c.config.at("learning_rate"), 2e-3);
  EXPECT_EQ(c.config.at("seed"), 3);
  EXPECT_EQ(c.config.at("output_dir"), c.dir);
  EXPECT_EQ(c.config.at("dev_fraction"), 0.1);
  EXPECT_FALSE(c.config.contains("methods"));
  EXPECT_EQ(plan.cells[12].config.at("init_r"), 3);
  EXPECT_EQ(plan.cells[12].config.at("tinit"), 1);
  EXPECT_EQ(learning_rate_label(5e-5), "lr5e-05");
}

TEST(SweepPlanTest, ConfigErrorsNameTheFileAndTheKey) {
  io::Json c = experiment();
  c["methods"][1]["budgets"]["large"]["init_rr"] = 6;
  EXPECT_NE(plan_error(c).find("exp.json: methods[1].budgets.large: unknown keys: init_rr"), std::string::npos)
      << plan_error(c);
  c = experiment();
  c.erase("dev_fraction");
  EXPECT_NE(plan_error(c).find("exp.json: dev_fraction: expected a share in (0, 1)"), std::string::npos);
  c = experiment();
  c["learning_rate"] = 1e-3;
  EXPECT_NE(plan_error(c).find("exp.json: learning_rate: set per cell by the grid"), std::string::npos);
  c = experiment();
  c["methods"][0]["budgets"].erase("large");
  EXPECT_NE(plan_error(c).find("exp.json: methods[0].budgets.large: expected an object"), std::string::npos);
  c = experiment();
  c["learning_rates"] = io::Json::array();
  EXPECT_NE(plan_error(c).find("exp.json: learning_rates: expected a non-empty list"), std::string::npos);
  c = experiment();
  c["methods"][1]["name"] = "lora";
  EXPECT_NE(plan_error(c).find("exp.json: methods[1].name: \"lora\" is used twice"), std::string::npos);
}

TEST(SweepTableTest, LearningRateIsChosenOnDevEvenWhenTestWouldPickAnother) {
  const SweepPlan plan = plan_sweep(experiment(), "exp.json");
  // lora/small: lr 1e-3 is better on dev (0.82 vs 0.79), lr 2e-3 much better on test (0.92 vs 0.71).
  std::vector<CellResult> results = {
      result("lora", "small", 1e-3, 1, 0.80, 0.70), result("lora", "small", 1e-3, 2, 0.82, 0.71),
      result("lora", "small", 1e-3, 3, 0.84, 0.72), result("lora", "small", 2e-3, 1, 0.78, 0.90),
      result("lora", "small", 2e-3, 2, 0.79, 0.91), result("lora", "small", 2e-3, 3, 0.80, 0.95)};
  const auto rows = summarize_sweep(plan, results);
  ASSERT_EQ(rows.size(), 1u);  // only (lora, small) has finished cells
  EXPECT_EQ(rows[0].chosen.learning_rate, 1e-3);
  // By hand: mean(0.70, 0.71, 0.72) = 0.71; std = sqrt((0.01² + 0 + 0.01²) / 2) = 0.01.
  EXPECT_NEAR(rows[0].chosen.test_mean, 0.71, 1e-12);
  EXPECT_NEAR(rows[0].chosen.test_std, 0.01, 1e-12);
  EXPECT_NEAR(rows[0].chosen.dev_mean, 0.82, 1e-12);
  ASSERT_EQ(rows[0].grid.size(), 2u);
  EXPECT_NEAR(rows[0].grid[1].test_mean, 0.92, 1e-12);
  EXPECT_EQ(rows[0].chosen.seeds, 3);
  EXPECT_NEAR(rows[0].share_of_model, 0.01, 1e-12);
  const std::string md = sweep_markdown(plan, rows, false);
  EXPECT_NE(md.find("| lora | small | 1000 | 1.00 | 0.001 | 0.710 ± 0.010 | 0.820 | 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("Incomplete sweep"), std::string::npos);
  EXPECT_NE(sweep_csv(rows).find("lora,small,1000,0.01,0.001,0.71"), std::string::npos) << sweep_csv(rows);
  const io::Json j = sweep_json(plan, rows, false);
  EXPECT_EQ(j.at("rows")[0].at("chosen").at("learning_rate"), 1e-3);
  EXPECT_EQ(j.at("complete"), false);
}

TEST(SweepTableTest, SampleStdByHandTiesGoToTheEarlierRateAndOneSeedHasNoSpread) {
  const SweepPlan plan = plan_sweep(experiment(), "exp.json");
  std::vector<CellResult> results = {
      // adalora/large: equal dev means → the earlier lr of the grid (1e-3).
      result("adalora", "large", 1e-3, 1, 0.5, 0.70), result("adalora", "large", 1e-3, 2, 0.6, 0.74),
      result("adalora", "large", 1e-3, 3, 0.7, 0.78), result("adalora", "large", 2e-3, 1, 0.6, 0.99),
      result("adalora", "large", 2e-3, 2, 0.6, 0.99), result("adalora", "large", 2e-3, 3, 0.6, 0.99),
      // lora/large: one seed only.
      result("lora", "large", 2e-3, 2, 0.9, 0.88, 2000)};
  const auto rows = summarize_sweep(plan, results);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "lora");  // plan order: methods as in the file
  EXPECT_EQ(rows[0].chosen.seeds, 1);
  EXPECT_EQ(rows[0].chosen.test_std, 0.0);
  EXPECT_EQ(rows[0].kept_params, 2000);
  EXPECT_EQ(rows[1].chosen.learning_rate, 1e-3);
  // mean(0.70, 0.74, 0.78) = 0.74; std = sqrt((0.04² + 0 + 0.04²) / 2) = 0.04.
  EXPECT_NEAR(rows[1].chosen.test_mean, 0.74, 1e-12);
  EXPECT_NEAR(rows[1].chosen.test_std, 0.04, 1e-12);
}

TEST(SweepFiguresTest, PerformanceChartHasOneLinePerMethodThroughItsBudgets) {
  const SweepPlan plan = plan_sweep(experiment(), "exp.json");
  std::vector<CellResult> results = {result("lora", "large", 1e-3, 1, 0.8, 0.8, 4000),
                                     result("lora", "small", 1e-3, 1, 0.7, 0.7, 2000),
                                     result("adalora", "small", 1e-3, 1, 0.7, 0.75, 1900)};
  const Chart chart = performance_chart(plan, summarize_sweep(plan, results));
  ASSERT_EQ(chart.series.size(), 2u);
  EXPECT_EQ(chart.series[0].label, "lora");
  ASSERT_EQ(chart.series[0].points.size(), 2u);
  EXPECT_EQ(chart.series[0].points[0].x, 2000);  // sorted by parameters
  EXPECT_EQ(chart.series[0].points[1].y, 0.8);
  const std::string svg = chart_svg(chart);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find(">adalora</text>"), std::string::npos);
}

TEST(SweepFiguresTest, NineSeriesGetNineDistinctColourAndMarkerPairs) {
  // The study has 9 methods and the palette 8 colours: adalora and lora_regu were both blue
  // circles. Each series' legend entry carries its marker, so pair legend line and marker.
  Chart chart;
  chart.title = "t";
  for (int i = 0; i < 9; ++i) chart.series.push_back({"m" + std::to_string(i), {{1.0 + i, 0.5}}});
  const std::string svg = chart_svg(chart);
  std::set<std::string> pairs;
  for (int i = 0; i < 9; ++i) {
    const size_t label = svg.find(">m" + std::to_string(i) + "</text>");
    ASSERT_NE(label, std::string::npos) << i;
    const size_t stroke = svg.rfind("stroke=\"#", label);  // the legend line's colour
    const std::string colour = svg.substr(stroke + 8, 7);
    const size_t marker = svg.find("<g class=\"marker-", label);  // right after the label
    ASSERT_NE(marker, std::string::npos) << i;
    const std::string shape = svg.substr(marker, svg.find('>', marker) - marker);
    pairs.insert(colour + " " + shape);
  }
  EXPECT_EQ(pairs.size(), 9u);
}

TEST(SweepFiguresTest, SeriesSharingAStyleShareColourAndALogAxisUnderThreeDecadesHasMidTicks) {
  // Figure 4 draws each run's P (solid) and Q (dashed) line in one colour.
  Chart chart;
  chart.log_y = true;
  chart.series.push_back({"P", {{1, 0.13}, {2, 10}}, false, false, 0});
  chart.series.push_back({"Q", {{1, 0.2}, {2, 8}}, true, false, 0});
  const std::string svg = chart_svg(chart);
  const size_t p = svg.find("<polyline"), q = svg.find("<polyline", p + 1);
  ASSERT_NE(q, std::string::npos);
  EXPECT_EQ(svg.substr(svg.find("stroke=", p), 17), svg.substr(svg.find("stroke=", q), 17));
  for (const char* tick : {">0.2<", ">0.5<", ">1<", ">2<", ">5<", ">10<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
}

TEST(SweepFiguresTest, LogSeriesReadsTheKeyAtEveryLoggedStep) {
  const std::string path = ::testing::TempDir() + "adalora_sweep_log.jsonl";
  std::ofstream(path) << "{\"step\": 5, \"loss\": 1.0, \"orth_P\": 2.5, \"orth_Q\": 3.0}\n"
                      << "{\"step\": 5, \"eval_accuracy\": 0.5}\n"
                      << "{\"step\": 10, \"loss\": 0.5, \"orth_P\": 1.5, \"orth_Q\": 2.0}\n";
  const auto p = read_log_series(path, "orth_P");
  EXPECT_EQ(p, (std::vector<std::pair<int64_t, double>>{{5, 2.5}, {10, 1.5}}));
  std::ofstream(path, std::ios::app) << "not json\n";
  EXPECT_THROW(read_log_series(path, "orth_P"), Error);
}

}  // namespace
}  // namespace adalora::experiments
