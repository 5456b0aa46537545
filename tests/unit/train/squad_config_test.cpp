// The question-answering settings of a fine-tuning configuration: run_qa.py's keys are read from
// JSON with their defaults, and every shipped presets/squad file is a valid configuration.
#include <gtest/gtest.h>

#include <filesystem>

#include "adalora/core/error.h"
#include "adalora/train/finetune.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

TEST(SquadConfigTest, RunQaKeysAndDefaults) {
  const FineTuneConfig d = fine_tune_config_from_json(io::Json::object(), "test");
  EXPECT_EQ(d.doc_stride, 128);
  EXPECT_EQ(d.n_best_size, 20);
  EXPECT_EQ(d.max_answer_length, 30);
  EXPECT_EQ(d.null_score_diff_threshold, 0.0);
  const FineTuneConfig c = fine_tune_config_from_json(
      {{"doc_stride", 64}, {"n_best_size", 5}, {"max_answer_length", 12},
       {"null_score_diff_threshold", -1.5}},
      "test");
  EXPECT_EQ(c.doc_stride, 64);
  EXPECT_EQ(c.n_best_size, 5);
  EXPECT_EQ(c.max_answer_length, 12);
  EXPECT_EQ(c.null_score_diff_threshold, -1.5);
  EXPECT_THROW(fine_tune_config_from_json({{"doc_stride", "wide"}}, "test"), Error);
}

TEST(SquadConfigTest, EveryShippedPresetIsAValidConfiguration) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(ADALORA_SOURCE_DIR) / "presets" / "squad")) {
    SCOPED_TRACE(entry.path().string());
    const FineTuneConfig c =
        fine_tune_config_from_json(io::load_json_file(entry.path().string()), entry.path().string());
    EXPECT_EQ(c.max_seq_length, 384);
    EXPECT_EQ(c.doc_stride, 128);
    EXPECT_EQ(c.eval_batch_size, 128);
    EXPECT_EQ(c.method_config.at("tinit"), 5000);
    ++files;
  }
  EXPECT_EQ(files, 8u);
}

}  // namespace
}  // namespace adalora::train
