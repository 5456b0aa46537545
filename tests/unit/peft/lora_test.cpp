// LoRA and full / BitFit folders: save → load reproduces the outputs bit for bit, through
// load_lora and through the peft_type dispatch of load_adapter; error messages name the file and
// what was wrong; describe_adapter reads ranks and counts from the files alone.
#include "adalora/peft/bitfit.h"
#include "adalora/peft/lora.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/adapter_loader.h"
#include "tests/support/golden.h"
#include "tests/support/toy_adalora_model.h"

namespace adalora::peft {
namespace {

using testing::ToyModel;

ToyModel base_model() {
  torch::manual_seed(1);
  return ToyModel(torch::kFloat64);
}

LoraConfig config() {
  LoraConfig c;
  c.r = 4;
  c.lora_alpha = 8;
  c.targets.names = {"query", "value"};
  c.modules_to_save = {"dense"};
  return c;
}

// A LoRA model as after training: B non-zero, the saved modules changed.
ToyModel trained_lora(MethodPtr* method) {
  ToyModel model = base_model();
  *method = attach_lora(*model, config());
  torch::NoGradGuard no_grad;
  torch::manual_seed(2);
  for (auto& [name, t] : (*method)->trainable()) t.add_(torch::randn_like(t) * 0.1);
  return model;
}

torch::Tensor input() {
  torch::manual_seed(3);
  return torch::randn({5, 112}, torch::kFloat64);
}

TEST(LoraLoadTest, SaveThenLoadReproducesOutputs) {
  testing::TempDir dir;
  MethodPtr trained;
  ToyModel a = trained_lora(&trained);
  trained->save(dir.path());
  const torch::Tensor expected = a->forward(input());

  ToyModel b = base_model();
  ASSERT_FALSE(torch::equal(b->forward(input()), expected));
  MethodPtr loaded = load_lora(*b, dir.path());
  EXPECT_STREQ(loaded->name(), "lora");
  EXPECT_TRUE(torch::equal(b->forward(input()), expected));
  for (const auto& p : b->parameters()) EXPECT_FALSE(p.requires_grad());

  ToyModel c = base_model();
  MethodPtr dispatched = load_adapter(*c, dir.path());
  EXPECT_STREQ(dispatched->name(), "lora");
  EXPECT_TRUE(torch::equal(c->forward(input()), expected));
  EXPECT_EQ(dispatched->trainable_parameter_count(), trained->trainable_parameter_count());
}

TEST(LoraLoadTest, DescribeReadsRanksAndCounts) {
  testing::TempDir dir;
  MethodPtr trained;
  ToyModel a = trained_lora(&trained);
  trained->save(dir.path());
  const AdapterSummary s = describe_adapter(dir.path());
  EXPECT_EQ(s.method, "lora");
  ASSERT_EQ(s.modules.size(), 2u);
  EXPECT_EQ(s.modules[0].path, "encoder.layer.0.attention.query");
  EXPECT_EQ(s.modules[0].rank, 4);
  EXPECT_EQ(s.modules[0].in_features, 24);
  EXPECT_EQ(s.modules[0].out_features, 16);
  EXPECT_EQ(s.total_rank, 8);
  EXPECT_EQ(s.stored_parameters, trained->trainable_parameter_count());
  EXPECT_EQ(s.peft_trainable_parameters, trained->trainable_parameter_count());
  // Two dense layers (weight + bias each).
  EXPECT_EQ(s.modules_to_save.size(), 4u);
  EXPECT_EQ(s.modules_to_save_parameters, 32 * 32 + 32 + 40 * 8 + 8);
}

void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected an Error mentioning " << parts.front();
  } catch (const Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(LoraLoadTest, ErrorsNameFileAndField) {
  testing::TempDir dir;
  MethodPtr trained;
  ToyModel a = trained_lora(&trained);
  trained->save(dir.path());
  const std::string config_path = dir.file(kAdapterConfigFile);
  const io::Json good = io::load_json_file(config_path);

  io::Json ia3 = good;
  ia3["peft_type"] = "IA3";
  io::save_json_file(config_path, ia3);
  ToyModel b = base_model();
  expect_error([&] { load_adapter(*b, dir.path()); },
               {config_path, "peft_type", "IA3", "ADALORA, LORA"});
  expect_error([&] { load_lora(*b, dir.path()); }, {config_path, "peft_type", "IA3"});

  io::Json dora = good;
  dora["use_dora"] = true;
  io::save_json_file(config_path, dora);
  expect_error([&] { load_lora(*b, dir.path()); }, {config_path, "use_dora"});

  io::Json bigger = good;
  bigger["r"] = 6;
  io::save_json_file(config_path, bigger);
  expect_error([&] { load_lora(*b, dir.path()); },
               {"adapter_model.safetensors", "lora_A.weight", "expected shape"});

  io::Json fewer = good;
  fewer["target_modules"] = std::vector<std::string>{"query"};
  io::save_json_file(config_path, fewer);
  expect_error([&] { load_lora(*b, dir.path()); },
               {"adapter_model.safetensors", "value.lora_A.weight", "not used"});

  // A per-module rank for a module the adapter does not adapt: an adapter for another model.
  io::Json stray = good;
  stray["rank_pattern"] = {{"no_such_layer", 2}};
  io::save_json_file(config_path, stray);
  expect_error([&] { load_lora(*b, dir.path()); }, {config_path, "rank_pattern", "no_such_layer"});

  testing::TempDir empty;
  expect_error([&] { load_adapter(*b, empty.path()); },
               {empty.path(), "expected an adapter folder"});
}

TEST(SelectedParametersLoadTest, BitFitSaveThenLoadReproducesOutputs) {
  testing::TempDir dir;
  ToyModel a = base_model();
  MethodPtr bitfit = attach_bitfit(*a, {});
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, t] : bitfit->trainable()) t.add_(1.0);
  }
  bitfit->save(dir.path());
  const torch::Tensor expected = a->forward(input());

  ToyModel b = base_model();
  MethodPtr loaded = load_adapter(*b, dir.path());
  EXPECT_STREQ(loaded->name(), "bitfit");
  EXPECT_TRUE(torch::equal(b->forward(input()), expected));
  const AdapterSummary s = describe_adapter(dir.path());
  EXPECT_EQ(s.method, "bitfit");
  EXPECT_EQ(s.stored_tensors, 4);
  EXPECT_EQ(s.stored_parameters, 16 + 24 + 32 + 8);

  // A tensor the model does not have.
  io::save_safetensors(dir.file("model.safetensors"), {{"no.such.bias", torch::zeros({3})}});
  expect_error([&] { load_adapter(*b, dir.path()); }, {"model.safetensors", "no.such.bias"});
}

}  // namespace
}  // namespace adalora::peft
