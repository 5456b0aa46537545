// Every shipped presets/summarization file is a valid fine-tuning configuration whose generation
// settings parse (what `adalora train --preset summarization/<name>` reads before training).
#include <gtest/gtest.h>

#include <filesystem>

#include "adalora/generation/generation_config.h"
#include "adalora/peft/registry.h"
#include "adalora/train/finetune.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

TEST(SummarizationConfigTest, EveryShippedPresetIsAValidConfiguration) {
  size_t files = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(ADALORA_SOURCE_DIR) / "presets" / "summarization")) {
    SCOPED_TRACE(entry.path().string());
    const FineTuneConfig c = fine_tune_config_from_json(io::load_json_file(entry.path().string()),
                                                        entry.path().string());
    EXPECT_NO_THROW(peft::find_method(c.method));
    EXPECT_GT(c.max_seq_length, c.max_target_length);
    EXPECT_EQ(c.eval_batch_size, c.trainer.per_device_train_batch_size);
    generation::GenerationConfig g;
    g = generation::parse_generation_config(io::JsonObject(c.generation, entry.path().string()), g);
    EXPECT_NO_THROW(generation::validate(g, entry.path().string()));
    EXPECT_EQ(g.max_length, c.max_target_length);
    ++files;
  }
  EXPECT_EQ(files, 16u);
}

}  // namespace
}  // namespace adalora::train
