// Every registered PEFT method on every architecture's tiny model (STYLE.md §5): attach, forward,
// backward (gradients reach exactly the trainable tensors), four optimizer steps with the method's
// after_optimizer_step (AdaLoRA / pruned LoRA prune inside them), merge ≡ unmerged, save, reload
// onto a fresh base through load_adapter, same outputs. A new method = one row in kMethods.
#include <gtest/gtest.h>

#include <cctype>

#include "adalora/io/json.h"
#include "adalora/models/registry.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/registry.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::peft {
namespace {

struct MethodCase {
  const char* method;
  const char* config;  // JSON; "target_modules" added from the architecture for LoRA-family rows
};

const MethodCase kMethods[] = {
    {"adalora", R"({"init_r": 4, "target_r": 2, "tinit": 0, "tfinal": 1, "deltaT": 1, "lora_alpha": 8})"},
    {"lora", R"({"r": 4, "lora_alpha": 8})"},
    {"full", R"({})"},
    {"bitfit", R"({})"},
    {"houlsby", R"({"bottleneck_size": 4})"},
    {"pfeiffer", R"({"bottleneck_size": 4})"},
    {"pruned_lora", R"({"r": 4, "target_r": 2, "tinit": 0, "tfinal": 1, "deltaT": 1, "lora_alpha": 8})"},
    {"svd_lora", R"({"r": 4, "lora_alpha": 8, "orth_reg_weight": 0.1})"},
    {"lora_regu", R"({"r": 4, "lora_alpha": 8, "orth_reg_weight": 0.1})"},
};

const char* const kArchitectures[] = {"bert", "roberta", "deberta-v2", "gpt2", "llama", "bart"};

struct ContractCase {
  std::string arch;
  MethodCase method;
};

std::vector<ContractCase> method_cases() {
  std::vector<ContractCase> out;
  for (const char* arch : kArchitectures) {
    for (const auto& m : kMethods) {
      if (std::string(arch) == "llama" && std::string(m.method) == "bitfit") continue;  // LLaMA has no biases
      out.push_back({arch, m});
    }
  }
  return out;
}

bool is_encoder(const std::string& arch) { return arch == "bert" || arch == "roberta" || arch == "deberta-v2"; }

models::ModelPtr build(const std::string& arch) {
  if (is_encoder(arch)) return testing::tiny_model(arch, models::TaskHead::SequenceClassification, /*seed=*/7);
  if (arch == "bart") {
    torch::manual_seed(7);
    return models::build_model(io::HfConfig(testing::tiny_bart_config_json(), "tiny bart"),
                               models::TaskHead::Seq2SeqLM);
  }
  return testing::tiny_decoder(arch, models::TaskHead::CausalLM, /*seed=*/7);
}

models::ModelInputs batch(const std::string& arch) {
  models::ModelInputs in;
  in.input_ids = torch::tensor({{2, 5, 9, 17, 33, 3}, {2, 8, 12, 40, 3, 0}}, torch::kLong);
  in.attention_mask = torch::tensor({{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0}}, torch::kLong);
  if (is_encoder(arch)) in.labels = torch::tensor({0, 2}, torch::kLong);
  else if (arch == "bart") in.labels = torch::tensor({{21, 22, 23, 2}, {24, 2, -100, -100}}, torch::kLong);
  else in.labels = in.input_ids.masked_fill(in.attention_mask.eq(0), -100);
  return in;
}

io::Json config_of(const ContractCase& c) {
  io::Json config = io::Json::parse(c.method.config);
  if (find_method(c.method.method).architecture_targets) {
    config["target_modules"] = models::find_architecture(c.arch).default_targets;
  }
  if (is_encoder(c.arch)) config["modules_to_save"] = {"classifier"};
  return config;
}

class MethodContract : public ::testing::TestWithParam<ContractCase> {};

TEST_P(MethodContract, TrainSaveReloadGivesTheSameOutputs) {
  const ContractCase& c = GetParam();
  auto model = build(c.arch);
  auto method = make_method(c.method.method, *model, config_of(c), /*total_step=*/4);
  std::vector<torch::Tensor> params;
  for (const auto& [name, t] : method->trainable()) params.push_back(t);
  ASSERT_FALSE(params.empty());
  {
    torch::NoGradGuard no_grad;  // move the adapters away from their no-op start
    torch::manual_seed(11);
    for (auto& t : params) t.add_(torch::randn_like(t) * 0.05);
  }
  const auto in = batch(c.arch);
  torch::optim::SGD sgd(params, 0.05);
  model->train();
  for (int64_t step = 0; step < 4; ++step) {
    auto loss = method->add_regularizer(model->forward(in).loss);
    ASSERT_TRUE(torch::isfinite(loss).item<bool>()) << "step " << step;
    loss.backward();
    for (const auto& [name, t] : method->trainable()) ASSERT_TRUE(t.grad().defined()) << name;
    for (const auto& p : model->named_parameters()) {
      if (!p.value().requires_grad()) {
        ASSERT_FALSE(p.value().grad().defined()) << p.key();
      }
    }
    sgd.step();
    method->after_optimizer_step(step);
    sgd.zero_grad();
  }

  model->eval();
  models::ModelInputs eval_in = in;
  if (c.arch != "bart") eval_in.labels = torch::Tensor();  // BART derives its decoder inputs from labels
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(eval_in).logits;
  method->merge();
  EXPECT_TENSOR_NEAR(model->forward(eval_in).logits, logits, 1e-5, 1e-5);
  method->unmerge();

  testing::TempDir dir;
  method->save(dir.path());
  auto fresh = build(c.arch);
  fresh->eval();
  ASSERT_FALSE(torch::allclose(fresh->forward(eval_in).logits, logits, 1e-6, 1e-6)) << "the test must see a change";
  load_adapter(*fresh, dir.path());
  fresh->eval();
  EXPECT_TENSOR_NEAR(fresh->forward(eval_in).logits, logits, 1e-5, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(AllMethods, MethodContract, ::testing::ValuesIn(method_cases()), [](const auto& info) {
  std::string name = info.param.arch + "_" + info.param.method.method;
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

}  // namespace
}  // namespace adalora::peft
