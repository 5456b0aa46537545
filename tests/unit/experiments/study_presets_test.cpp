// Every shipped sweep preset (presets/study/*.json) plans without error, names files that exist
// (relative to the preset's folder, as the CLI resolves them), and selects on a dev split.
#include <gtest/gtest.h>

#include <filesystem>

#include "adalora/experiments/sweep_plan.h"
#include "adalora/io/json.h"

namespace adalora::experiments {
namespace {
namespace fs = std::filesystem;

TEST(StudyPresetsTest, EveryPresetPlansAndNamesExistingFiles) {
  const fs::path dir = fs::path(ADALORA_SOURCE_DIR) / "presets" / "study";
  int64_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    const io::Json j = io::load_json_file(entry.path().string());
    for (const char* key : {"model", "train_file", "eval_file"}) {
      if (!j.contains(key)) continue;
      EXPECT_TRUE(fs::exists(dir / j.at(key).get<std::string>())) << key;
    }
    EXPECT_TRUE(j.contains("eval_file") || j.contains("test_fraction"));
    const SweepPlan plan = plan_sweep(j, entry.path().string());
    EXPECT_GE(plan.cells.size(), 9u);
    for (const auto& cell : plan.cells) EXPECT_GT(cell.config.at("dev_fraction").get<double>(), 0);
  }
  EXPECT_EQ(files, 7);  // fine_foods, fine_foods_3_epochs, imdb, yelp, amazon, figure1, slice_imdb
}

}  // namespace
}  // namespace adalora::experiments
