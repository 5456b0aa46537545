// One behavioural contract for every PEFT method with adapters (STYLE.md §5): merged ≡ unmerged,
// disabled ≡ base, only trainable tensors change in a step, adapter keys are PEFT's, and a saved
// adapter reloads to the same outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "adalora/io/safetensors.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/registry.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/toy_adalora_model.h"

namespace adalora::peft {
namespace {

struct PeftCase {
  std::string method;
  io::Json config;
};

std::vector<PeftCase> peft_cases() {
  return {
      {"adalora", {{"init_r", 4}, {"target_r", 2}, {"tinit", 1}, {"tfinal", 2}, {"deltaT", 1},
                   {"lora_alpha", 8}, {"target_modules", {"query", "value", "dense"}}}},
      {"lora", {{"r", 4}, {"lora_alpha", 8}, {"target_modules", {"query", "value", "dense"}}}},
  };
}

class PeftContract : public ::testing::TestWithParam<PeftCase> {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    model_ = testing::ToyModel(torch::kFloat64);
    method_ = make_method(GetParam().method, *model_, GetParam().config, /*total_step=*/8);
    // Move the adapters away from their no-op initialisation.
    torch::NoGradGuard ng;
    for (auto& [name, t] : method_->trainable()) t.add_(torch::randn_like(t) * 0.1);
  }
  testing::ToyModel model_{nullptr};
  MethodPtr method_;
};

TEST_P(PeftContract, MergedEqualsUnmergedAndDisabledEqualsBase) {
  model_->eval();
  auto x = torch::randn({3, 112}, torch::kFloat64);
  auto adapted = model_(x).detach();
  torch::Tensor base;
  {
    for (auto& l : model_->layers) l->set_adapter_enabled(false);
    base = model_(x).detach();
    for (auto& l : model_->layers) l->set_adapter_enabled(true);
  }
  // The base model's own output, from its untouched weights: chunk i of x through layer i.
  std::vector<torch::Tensor> chunks;
  int64_t col = 0;
  for (size_t i = 0; i < model_->layers.size(); ++i) {
    const auto& l = model_->layers[i];
    chunks.push_back(torch::nn::functional::linear(x.narrow(1, col, l->weight.size(1)), l->weight, l->bias));
    col += l->weight.size(1);
  }
  EXPECT_TENSOR_NEAR(base, torch::cat(chunks, 1), 1e-12, 1e-12) << "disabled adapters must give the base output";
  EXPECT_GT((adapted - base).abs().max().item<double>(), 1e-6) << "adapter must change the output";
  method_->merge();
  EXPECT_TENSOR_NEAR(model_(x), adapted, 1e-10, 1e-10);
  method_->unmerge();
  EXPECT_TENSOR_NEAR(model_(x), adapted, 1e-10, 1e-10);
}

TEST_P(PeftContract, OnlyTrainableTensorsChange) {
  std::map<std::string, torch::Tensor> before;
  for (auto& p : model_->named_parameters()) before[p.key()] = p.value().detach().clone();
  std::vector<torch::Tensor> params;
  std::set<std::string> trainable;
  for (auto& [n, t] : method_->trainable()) {
    params.push_back(t);
    trainable.insert(n);
  }
  torch::optim::SGD sgd(params, 0.1);
  auto loss = method_->add_regularizer(model_(torch::randn({4, 112}, torch::kFloat64)).pow(2).mean());
  loss.backward();
  sgd.step();
  method_->after_optimizer_step(0);
  for (auto& p : model_->named_parameters()) {
    const bool changed = !torch::equal(before[p.key()], p.value());
    EXPECT_EQ(changed, trainable.count(p.key()) > 0) << p.key();
  }
}

TEST_P(PeftContract, SavedKeysArePeftKeys) {
  testing::TempDir dir;
  method_->save(dir.path());
  auto file = io::SafetensorsFile::open(dir.file("adapter_model.safetensors"));
  const std::string suffix = GetParam().method == "lora" ? ".lora_A.weight" : ".lora_A";
  int found = 0;
  for (const auto& name : file.names()) {
    EXPECT_EQ(name.rfind("base_model.model.encoder.layer.", 0), 0u) << name;
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) ++found;
  }
  EXPECT_EQ(found, 4);
  auto config = io::load_json_file(dir.file("adapter_config.json"));
  EXPECT_EQ(config.at("peft_type").get<std::string>(), GetParam().method == "lora" ? "LORA" : "ADALORA");
}

INSTANTIATE_TEST_SUITE_P(Methods, PeftContract, ::testing::ValuesIn(peft_cases()),
                         [](const auto& info) { return info.param.method; });

TEST(AdaLoraContract, SaveLoadReproducesOutputsAfterPruning) {
  torch::manual_seed(1);
  testing::ToyModel model(torch::kFloat64);
  AdaLoraConfig config;
  config.init_r = 4;
  config.target_r = 2;
  config.total_step = 6;
  config.tinit = 0;
  config.tfinal = 2;
  config.targets.names = {"query", "value", "dense"};
  auto adalora = AdaLora::attach(*model, config);
  torch::optim::AdamW opt(adalora.parameters(), torch::optim::AdamWOptions(1e-2));
  for (int step = 0; step < 6; ++step) {
    auto x = torch::randn({4, 112}, torch::kFloat64);
    adalora.add_regularizer(model(x).pow(2).mean()).backward();
    adalora.step(opt);
  }
  EXPECT_EQ(adalora.allocator().total_rank(), 8);  // target_r × 4 matrices (no ties here)
  model->eval();
  auto x = torch::randn({3, 112}, torch::kFloat64);
  auto y = model(x).detach();
  testing::TempDir dir;
  adalora.save(dir.path());
  testing::ToyModel fresh(torch::kFloat64);
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < fresh->layers.size(); ++i) {
      fresh->layers[i]->weight.copy_(model->layers[i]->weight);
      fresh->layers[i]->bias.copy_(model->layers[i]->bias);
    }
  }
  auto loaded = AdaLora::load(*fresh, dir.path());
  fresh->eval();
  EXPECT_TENSOR_NEAR(fresh(x), y, 1e-12, 1e-10);
  EXPECT_EQ(loaded.pruned_adapter_parameter_count(), adalora.pruned_adapter_parameter_count());
}

TEST(MethodRegistry, UnknownMethodListsKnownOnes) {
  testing::ToyModel model(torch::kFloat32);
  try {
    make_method("ia3", *model, io::Json::object(), 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adalora, lora, full, bitfit"), std::string::npos) << e.what();
  }
}

TEST(MethodRegistry, BitFitTrainsOnlyBiases) {
  testing::ToyModel model(torch::kFloat32);
  auto method = make_method("bitfit", *model, io::Json::object(), 10);
  EXPECT_EQ(method->trainable().size(), 4u);
  for (const auto& [name, t] : method->trainable()) EXPECT_NE(name.find(".bias"), std::string::npos);
}

TargetSpec spec_of(std::vector<std::string> names, std::optional<std::string> regex = std::nullopt) {
  TargetSpec spec;
  spec.names = std::move(names);
  spec.regex = std::move(regex);
  return spec;
}

TEST(TargetsTest, SuffixAndRegexFollowPeft) {
  TargetSpec names = spec_of({"query", "dense"});
  EXPECT_TRUE(is_target("encoder.layer.0.attention.query", names));
  EXPECT_TRUE(is_target("dense", names));
  EXPECT_FALSE(is_target("encoder.layer.0.attention.subquery", names));
  TargetSpec regex = spec_of({}, std::string(R"(.*layer\.1\..*dense)"));
  EXPECT_TRUE(is_target("encoder.layer.1.output.dense", regex));
  EXPECT_FALSE(is_target("encoder.layer.0.output.dense", regex));
  testing::ToyModel model(torch::kFloat32);
  EXPECT_THROW(find_targets(*model, spec_of({"nothing"})), Error);
  EXPECT_THROW(find_targets(*model, spec_of({"attention"})), Error);  // a container
}

}  // namespace
}  // namespace adalora::peft

namespace adalora::peft {
namespace {

TEST(ModulesToSaveTest, AdapterTensorsAreNotSavedTwice) {
  testing::ToyModel model(torch::kFloat32);
  AdaLoraConfig config;
  config.init_r = 4;
  config.target_r = 2;
  config.total_step = 10;
  config.targets.names = {"query", "dense"};
  config.modules_to_save = {"attention"};  // contains a target (query): PEFT adapts nothing inside it
  auto adalora = AdaLora::attach(*model, config);
  std::set<std::string> names;
  for (const auto& [n, t] : adalora.named_parameters()) EXPECT_TRUE(names.insert(n).second) << "twice: " << n;
  EXPECT_TRUE(names.count("encoder.layer.0.attention.query.weight"));
  EXPECT_TRUE(names.count("encoder.layer.1.output.dense.lora_A"));
  testing::TempDir dir;
  adalora.save(dir.path());
  // The file holds each saved tensor once, with the value it had, and no adapter tensor again
  // under a modules_to_save name.
  const auto file = io::SafetensorsFile::open(dir.file("adapter_model.safetensors"));
  std::map<std::string, int> saved;
  for (const auto& name : file.names()) ++saved[name];
  for (const auto& [name, count] : saved) EXPECT_EQ(count, 1) << name;
  const std::string prefix = "base_model.model.";
  const auto params = adalora.named_parameters();
  for (const std::string key : {"encoder.layer.0.attention.query.weight", "encoder.layer.1.output.dense.lora_A"}) {
    ASSERT_EQ(saved.count(prefix + key), 1u) << key << " missing; saved: " << saved.size() << " tensors";
    const auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
    ASSERT_NE(it, params.end()) << key << " is not a parameter";
    EXPECT_TRUE(torch::equal(file.load(prefix + key), it->second.detach())) << key;
  }
  int lora_a_count = 0;
  for (const auto& [name, count] : saved) lora_a_count += name.find("output.dense.lora_A") != std::string::npos;
  EXPECT_EQ(lora_a_count, 1) << "the adapted output.dense's lora_A saved twice";
  EXPECT_EQ(saved.count(prefix + "encoder.layer.0.attention.query.lora_A"), 0u)
      << "a module inside modules_to_save was adapted";
}

}  // namespace
}  // namespace adalora::peft
