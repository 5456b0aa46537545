// config.json files a user might download that must give an error naming the field, quickly,
// instead of a hang, a crash or a silent default.
#include <gtest/gtest.h>

#include <chrono>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tiny_models.h"

namespace adalora::models {
namespace {

using testing::error_of;

// A tiny saved BERT whose config.json is then replaced by `edit(config)`.
struct SavedTiny {
  testing::TempDir dir;
  explicit SavedTiny(const std::function<void(io::Json&)>& edit) {
    save_pretrained(*testing::tiny_model("bert"), dir.path());
    io::Json config = io::load_json_file(dir.file("config.json"));
    edit(config);
    io::save_json_file(dir.file("config.json"), config);
  }
};

TEST(HostileConfigTest, HugeLayerCountIsRefusedBeforeBuilding) {
  SavedTiny tiny([](io::Json& c) { c["num_hidden_layers"] = 100000; });
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = error_of([&] { load_pretrained(tiny.dir.path(), TaskHead::None); });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(msg.find("config.json: num_hidden_layers: expected at most the 2 layers that "), std::string::npos) << msg;
  EXPECT_NE(msg.find("got 100000"), std::string::npos) << msg;
}

TEST(HostileConfigTest, HugeSizeIsRefusedBeforeBuilding) {
  SavedTiny tiny([](io::Json& c) { c["hidden_size"] = int64_t{1} << 40; });
  const std::string msg = error_of([&] { load_pretrained(tiny.dir.path(), TaskHead::None); });
  EXPECT_NE(msg.find("config.json: hidden_size: expected at most "),
            std::string::npos) << msg;
}

TEST(HostileConfigTest, NullWhereHfHasNoMeaningForNoneIsRefused) {
  for (const char* field : {"layer_norm_eps", "hidden_size", "num_hidden_layers", "hidden_act"}) {
    io::Json c = testing::tiny_config_json("bert");
    c[field] = nullptr;
    const std::string msg = error_of([&] { build_model(io::HfConfig(c, "m/config.json"), TaskHead::None); });
    EXPECT_EQ(msg.rfind(std::string("m/config.json: ") + field + ": expected a value", 0), 0u) << msg;
    EXPECT_NE(msg.find("got null"), std::string::npos) << msg;
  }
  // null that HF reads as None keeps working: classifier_dropout falls back to hidden_dropout_prob.
  io::Json c = testing::tiny_config_json("bert");
  c["classifier_dropout"] = nullptr;
  EXPECT_NO_THROW(build_model(io::HfConfig(c, "m/config.json"), TaskHead::SequenceClassification));
}

TEST(HostileConfigTest, DeeplyNestedConfigIsAnError) {
  testing::TempDir dir;
  io::write_file_atomic(dir.file("config.json"), std::string(100000, '[') + std::string(100000, ']'));
  const std::string msg = error_of([&] { load_pretrained(dir.path(), TaskHead::None); });
  EXPECT_NE(msg.find("config.json: JSON nests deeper than 128 levels"), std::string::npos) << msg;
}

}  // namespace
}  // namespace adalora::models
