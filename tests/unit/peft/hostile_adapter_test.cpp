// Adapter folders a user might download that must be refused with the file and the reason:
// non-finite weights (predict would exit 0 with garbage), invalid adapter_config.json values.
#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adapter_files.h"
#include "tests/support/golden.h"
#include "tests/support/toy_adalora_model.h"

namespace adalora::peft {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// An AdaLoRA adapter saved from the toy model into dir.
void save_toy_adapter(const std::string& dir) {
  torch::manual_seed(3);
  testing::ToyModel model(torch::kFloat32);
  AdaLoraConfig config;
  config.init_r = 4;
  config.target_r = 2;
  config.total_step = 10;
  config.targets.names = {"query", "value"};
  AdaLora::attach(*model, config).save(dir);
}

// Rewrites adapter_model.safetensors with `value` at flat index 3 of tensor `key`.
void poison(const std::string& dir, const std::string& key, double value) {
  const std::string path = dir + "/" + kAdapterWeightsFile;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  {
    const auto file = io::SafetensorsFile::open(path);
    for (const auto& name : file.names()) {
      auto t = file.load(name).clone();
      if (name == key) t.view(-1)[3] = value;
      tensors.emplace_back(name, t);
    }
  }
  io::save_safetensors(path, tensors, {{"format", "pt"}});
}

TEST(HostileAdapterTest, NonFiniteWeightsAreRefusedNamingFileAndTensor) {
  const std::string key = "base_model.model.encoder.layer.0.attention.value.lora_B";
  for (const double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    testing::TempDir dir;
    save_toy_adapter(dir.path());
    poison(dir.path(), key, bad);
    testing::ToyModel model(torch::kFloat32);
    const std::string msg = error_of([&] { AdaLora::load(*model, dir.path()); });
    EXPECT_EQ(msg.rfind(dir.file(kAdapterWeightsFile) + ": tensor \"" + key +
                            "\": expected finite values, got ", 0), 0u) << msg;
    EXPECT_NE(msg.find("at flat index 3 (1 non-finite values)"), std::string::npos) << msg;
  }
}

TEST(HostileAdapterTest, InvalidConfigValuesNameTheFile) {
  testing::TempDir dir;
  save_toy_adapter(dir.path());
  const std::string config_path = dir.file(kAdapterConfigFile);
  io::Json config = io::load_json_file(config_path);
  config["target_r"] = 9;  // ≥ init_r = 4
  io::save_json_file(config_path, config);
  testing::ToyModel model(torch::kFloat32);
  const std::string msg = error_of([&] { AdaLora::load(*model, dir.path()); });
  EXPECT_EQ(msg.rfind(config_path + ": target_r: expected < init_r = 4, got 9", 0), 0u) << msg;
}

}  // namespace
}  // namespace adalora::peft
