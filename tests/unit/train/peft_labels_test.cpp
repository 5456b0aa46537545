// Labels of an adapter folder PEFT wrote (no labels.json): taken from id2label in the base model's
// config.json (tests/fixtures/peft/bert_lora_seq_cls, labels neg / neu / pos).
#include <gtest/gtest.h>

#include "adalora/train/evaluate.h"

namespace adalora::train {
namespace {

TEST(PeftLabels, LabelsComeFromTheBaseConfigWithoutLabelsJson) {
  const std::string dir = std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/peft/bert_lora_seq_cls";
  InferenceConfig config;
  config.model_dir = dir + "/base";
  config.adapter_dir = dir + "/adapter";
  config.tokenizer = std::string(ADALORA_SOURCE_DIR) + "/models/demo-bert";
  config.task = "classification";  // its labels come from data: labels.json or config.json
  const TrainedClassifier c = load_trained_classifier(config);
  EXPECT_EQ(c.label_names, (std::vector<std::string>{"neg", "neu", "pos"}));
  EXPECT_STREQ(c.method->name(), "lora");
}

}  // namespace
}  // namespace adalora::train
