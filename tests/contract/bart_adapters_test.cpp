// AdaLoRA and LoRA on BART with the registry's default targets (PEFT's q_proj/v_proj: encoder
// self-attention, decoder self- and cross-attention): attach, one training step on a seq2seq loss,
// save, reload onto a fresh model, same logits.
#include <gtest/gtest.h>

#include <algorithm>

#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/models/registry.h"
#include "adalora/nn/linear.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/registry.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora {
namespace {

models::ModelPtr tiny_bart() {
  torch::manual_seed(3);
  return models::build_model(io::HfConfig(testing::tiny_bart_config_json(), "tiny bart"),
                             models::TaskHead::Seq2SeqLM);
}

models::ModelInputs batch() {
  models::ModelInputs in;
  in.input_ids = torch::tensor({{0, 5, 9, 17, 33, 2}, {0, 8, 12, 2, 1, 1}}, torch::kLong);
  in.attention_mask = in.input_ids.ne(1).to(torch::kLong);
  in.labels = torch::tensor({{21, 22, 23, 2}, {24, 2, -100, -100}}, torch::kLong);
  return in;
}

std::vector<std::string> adapted_paths(torch::nn::Module& model) {
  std::vector<std::string> paths;
  for (const auto& m : model.named_modules()) {
    if (auto* linear = m.value()->as<nn::LinearImpl>(); linear && linear->adapter()) paths.push_back(m.key());
  }
  return paths;
}

struct BartCase {
  std::string method;
  io::Json config;
};

class BartAdapters : public ::testing::TestWithParam<BartCase> {};

TEST_P(BartAdapters, TrainSaveReloadGivesTheSameLogits) {
  const auto& targets = models::find_architecture("bart").default_targets;
  io::Json config = GetParam().config;
  config["target_modules"] = targets;
  auto model = tiny_bart();
  auto method = peft::make_method(GetParam().method, *model, config, /*total_step=*/10);

  // 2 encoder layers × (q, v) + 2 decoder layers × (self q, v + cross q, v).
  const auto paths = adapted_paths(*model);
  EXPECT_EQ(paths.size(), 12u);
  for (const char* p : {"model.encoder.layers.0.self_attn.q_proj", "model.decoder.layers.1.self_attn.v_proj",
                        "model.decoder.layers.1.encoder_attn.q_proj"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
  }
  EXPECT_FALSE(model->named_parameters().find("model.shared.weight")->requires_grad());

  model->train();
  const auto in = batch();
  auto loss = method->add_regularizer(model->forward(in).loss);
  ASSERT_TRUE(std::isfinite(loss.item<double>()));
  loss.backward();
  std::vector<torch::Tensor> trainable;
  for (const auto& [name, t] : method->trainable()) {
    ASSERT_TRUE(t.grad().defined()) << name;
    trainable.push_back(t);
  }
  torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(1e-2));
  optimizer.step();
  method->after_optimizer_step(0);
  optimizer.zero_grad();

  model->eval();
  torch::NoGradGuard no_grad;
  const auto expected = model->forward(in).logits;
  testing::TempDir dir;
  method->save(dir.path());
  const auto names = io::SafetensorsFile::open(dir.file("adapter_model.safetensors")).names();
  const std::string cross = "base_model.model.model.decoder.layers.1.encoder_attn.v_proj.lora_";
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.rfind(cross, 0) == 0; }))
      << "no " << cross << "* key";

  auto fresh = tiny_bart();
  fresh->eval();
  EXPECT_FALSE(torch::allclose(fresh->forward(in).logits, expected)) << "the step must change the logits";
  auto loaded = peft::load_adapter(*fresh, dir.path());
  EXPECT_EQ(loaded->name(), GetParam().method);
  EXPECT_TENSOR_NEAR(fresh->forward(in).logits, expected, 1e-6, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Methods, BartAdapters,
    ::testing::Values(BartCase{"adalora", {{"init_r", 4}, {"target_r", 2}, {"tinit", 1}, {"tfinal", 2}, {"lora_alpha", 8}}},
                      BartCase{"lora", {{"r", 4}, {"lora_alpha", 8}}}),
    [](const ::testing::TestParamInfo<BartCase>& info) { return info.param.method; });

}  // namespace
}  // namespace adalora
