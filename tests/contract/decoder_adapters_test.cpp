// AdaLoRA and LoRA on the decoder-only models at their PEFT default targets (GPT-2 `c_attn`, a
// Conv1D stored [in, out]; LLaMA `q_proj`/`v_proj`): attach, a training step's backward reaches only
// the adapters, merge ≡ unmerged, and save → load onto a fresh base gives the same logits.
#include <gtest/gtest.h>

#include "adalora/io/json.h"
#include "adalora/models/registry.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/registry.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::peft {
namespace {

struct DecoderCase {
  std::string model_type;
  std::string method;
};

std::vector<DecoderCase> decoder_cases() {
  std::vector<DecoderCase> out;
  for (const char* type : {"gpt2", "llama"}) {
    for (const char* method : {"adalora", "lora"}) out.push_back({type, method});
  }
  return out;
}

io::Json method_config(const DecoderCase& c) {
  const auto& targets = models::find_architecture(c.model_type).default_targets;
  if (c.method == "lora") return {{"r", 4}, {"lora_alpha", 8}, {"target_modules", targets}};
  return {{"init_r", 4}, {"target_r", 2}, {"tinit", 0}, {"tfinal", 1}, {"deltaT", 1},
          {"lora_alpha", 8}, {"target_modules", targets}};
}

class DecoderAdapterTest : public ::testing::TestWithParam<DecoderCase> {};

TEST_P(DecoderAdapterTest, TrainSaveLoadGivesTheSameLogits) {
  const DecoderCase c = GetParam();
  auto model = testing::tiny_decoder(c.model_type, models::TaskHead::CausalLM, /*seed=*/4);
  auto method = make_method(c.method, *model, method_config(c), /*total_step=*/4);
  const int64_t expected_layers = 2 * static_cast<int64_t>(method_config(c).at("target_modules").size());
  auto ends_with = [](const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
  };
  int64_t adapted = 0;
  std::vector<torch::Tensor> params;
  for (const auto& [name, t] : method->trainable()) {
    adapted += ends_with(name, ".lora_A") || ends_with(name, ".lora_A.weight");
    params.push_back(t);
  }
  EXPECT_EQ(adapted, expected_layers);
  {
    torch::NoGradGuard no_grad;  // move the adapters away from their no-op start
    for (auto& t : params) t.add_(torch::randn_like(t) * 0.1);
  }

  // One training step: gradients reach the adapters and nothing else.
  torch::manual_seed(5);
  auto ids = torch::randint(0, 64, {2, 8}, torch::kLong);
  models::ModelInputs in;
  in.input_ids = ids;
  in.labels = ids;
  model->train();
  auto loss = method->add_regularizer(model->forward(in).loss);
  loss.backward();
  for (const auto& [name, t] : method->trainable()) ASSERT_TRUE(t.grad().defined()) << name;
  for (const auto& p : model->named_parameters()) {
    if (!p.value().requires_grad()) {
      EXPECT_FALSE(p.value().grad().defined()) << p.key();
    }
  }
  torch::optim::SGD(params, 0.5).step();
  method->after_optimizer_step(0);

  model->eval();
  in.labels = torch::Tensor();
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(in).logits;
  method->merge();  // Conv1D layers merge ΔWᵀ into their [in, out] weight
  EXPECT_TENSOR_NEAR(model->forward(in).logits, logits, 1e-5, 1e-5);
  method->unmerge();

  testing::TempDir dir;
  method->save(dir.path());
  const auto config = io::load_json_file(dir.file("adapter_config.json"));
  EXPECT_EQ(config.at("fan_in_fan_out").get<bool>(), c.model_type == "gpt2");  // PEFT sets it for Conv1D
  auto fresh = testing::tiny_decoder(c.model_type, models::TaskHead::CausalLM, /*seed=*/4);
  load_adapter(*fresh, dir.path());
  fresh->eval();
  EXPECT_TENSOR_NEAR(fresh->forward(in).logits, logits, 1e-5, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderAdapterTest, ::testing::ValuesIn(decoder_cases()),
                         [](const auto& info) { return info.param.model_type + "_" + info.param.method; });

}  // namespace
}  // namespace adalora::peft
