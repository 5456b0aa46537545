// Adapters written by HuggingFace PEFT itself (tests/fixtures/peft, made by
// tools/peft_fixtures/make_fixtures.py): every case folder loads through peft::load_adapter and
// gives PEFT's logits in float64. Data-driven: each folder with an adapter/ is a case.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/nn/linear.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adalora/export_lora.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/adapter_loader.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::peft {
namespace {
namespace fs = std::filesystem;

const std::string kRoot = std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/peft";

std::vector<std::string> fixture_cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kRoot)) {
    if (fs::is_directory(e.path() / "adapter")) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string task_type_of(const std::string& case_dir) {
  const io::Json config = io::load_json_file(case_dir + "/adapter/adapter_config.json");
  return config.value("task_type", io::Json()).is_string() ? config.at("task_type").get<std::string>() : "";
}

// The head PEFT's task_type implies (PEFT's AutoPeftModelFor… classes): SEQ_CLS and none → classifier.
models::TaskHead head_of(const std::string& case_dir) {
  const std::string task = task_type_of(case_dir);
  return task == "CAUSAL_LM"      ? models::TaskHead::CausalLM
         : task == "SEQ_2_SEQ_LM" ? models::TaskHead::Seq2SeqLM
                                  : models::TaskHead::SequenceClassification;
}

// transformers 4.40.2's LlamaRotaryEmbedding computes cos/sin in float32 even in a float64 model
// (`.float()` under disabled autocast), so PEFT's float64 LLaMA logits carry float32 rope rounding
// (measured: 6e-7); every other architecture is float64 throughout.
double tolerance_of(const std::string& case_dir) {
  const std::string type = io::load_json_file(case_dir + "/base/config.json").at("model_type");
  return type == "llama" || type == "mistral" || type == "qwen2" ? 5e-6 : 1e-10;
}

// Our logits for the fixture's inputs, the adapter loaded from `adapter_dir` onto `case_dir`/base.
torch::Tensor our_logits(const std::string& case_dir, const std::string& adapter_dir) {
  auto model = models::load_pretrained(case_dir + "/base", head_of(case_dir), torch::kFloat64);
  auto method = load_adapter(*model, adapter_dir);
  model->eval();
  const auto expected = io::SafetensorsFile::open(case_dir + "/expected.safetensors");
  models::ModelInputs in;
  in.input_ids = expected.load("input_ids", torch::kInt64);            // [B, T]
  in.attention_mask = expected.load("attention_mask", torch::kInt64);  // [B, T]
  if (expected.contains("decoder_input_ids")) {
    in.decoder_input_ids = expected.load("decoder_input_ids", torch::kInt64);  // [B, T_dec]
  }
  torch::NoGradGuard no_grad;
  return model->forward(in).logits;  // [B, num_labels] or [B, T(_dec), V]
}

TEST(PeftFixtures, EveryCaseIsPresent) {
  // The committed cases; a new one is picked up by the test below without being listed here.
  EXPECT_GE(fixture_cases().size(), 9u);
}

class PeftFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PeftFixture, LoadsAndGivesPeftsLogits) {
  const std::string dir = kRoot + "/" + GetParam();
  const auto expected = io::SafetensorsFile::open(dir + "/expected.safetensors").load("logits", torch::kFloat64);
  const double tolerance = tolerance_of(dir);
  EXPECT_TENSOR_NEAR(our_logits(dir, dir + "/adapter"), expected, tolerance, tolerance);
}

bool is_adalora(const std::string& case_dir) {
  return io::load_json_file(case_dir + "/adapter/adapter_config.json").at("peft_type") == "ADALORA";
}

// A copy of `adapter_dir` with its tensors in float64 (so an export is compared at 1e-10).
void copy_as_float64(const std::string& adapter_dir, const std::string& out) {
  fs::create_directories(out);
  fs::copy_file(adapter_dir + "/adapter_config.json", out + "/adapter_config.json");
  const auto file = io::SafetensorsFile::open(adapter_dir + "/adapter_model.safetensors");
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& name : file.names()) tensors.emplace_back(name, file.load(name, torch::kFloat64));
  io::save_safetensors(out + "/adapter_model.safetensors", tensors, {{"format", "pt"}});
}

std::vector<std::string> adalora_cases() {
  std::vector<std::string> out;
  for (const auto& name : fixture_cases()) {
    if (is_adalora(kRoot + "/" + name)) out.push_back(name);
  }
  return out;
}

class PeftAdaLoraFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PeftAdaLoraFixture, ExportsToLoraWithTheSameLogits) {
  const std::string dir = kRoot + "/" + GetParam();
  const auto expected = io::SafetensorsFile::open(dir + "/expected.safetensors").load("logits", torch::kFloat64);
  testing::TempDir tmp;
  copy_as_float64(dir + "/adapter", tmp.file("ada64"));
  for (int64_t uniform : {0, 6}) {
    LoraExportOptions options;
    options.uniform_rank = uniform;
    const std::string out = tmp.file("lora" + std::to_string(uniform));
    const auto summary = export_adalora_as_lora(tmp.file("ada64"), out, options);
    const io::Json config = io::load_json_file(out + "/adapter_config.json");
    EXPECT_EQ(config.at("peft_type"), "LORA");
    EXPECT_EQ(config.at("task_type"), task_type_of(dir));
    EXPECT_EQ(config.at("target_modules").size(), static_cast<size_t>(summary.modules));
    if (uniform > 0) {
      EXPECT_TRUE(config.at("rank_pattern").empty());
    }
    // float64 throughout: B·diag(λ) and α_k / r_k = α / (init_r + 1e-5) reproduce AdaLoRA's update.
    const double tolerance = tolerance_of(dir);
    EXPECT_TENSOR_NEAR(our_logits(dir, out), expected, tolerance, tolerance) << "uniform rank " << uniform;
  }
  // The adapter's own dtype (F32): λ folded into B rounds once.
  const std::string f32 = tmp.file("lora_f32");
  export_adalora_as_lora(dir + "/adapter", f32);
  EXPECT_TENSOR_NEAR(our_logits(dir, f32), expected, 1e-5, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Cases, PeftFixture, ::testing::ValuesIn(fixture_cases()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Cases, PeftAdaLoraFixture, ::testing::ValuesIn(adalora_cases()),
                         [](const auto& info) { return info.param; });

TEST(PeftFixtures, RankZeroModulesAreDroppedAndLimitsRefused) {
  const std::string dir = kRoot + "/bert_adalora_layers/adapter";  // value of layer 0 kept rank 0
  testing::TempDir tmp;
  const auto s = export_adalora_as_lora(dir, tmp.file("lora"));
  EXPECT_EQ(s.dropped_modules, 1);
  const io::Json config = io::load_json_file(tmp.file("lora") + "/adapter_config.json");
  EXPECT_EQ(config.at("target_modules"), io::Json({"bert.encoder.layer.0.attention.self.query"}));
  LoraExportOptions too_small;
  too_small.uniform_rank = 1;
  try {
    export_adalora_as_lora(dir, tmp.file("x"), too_small);
    ADD_FAILURE() << "uniform rank 1 below the kept rank 2 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bert.encoder.layer.0.attention.self.query"), std::string::npos) << e.what();
  }
  LoraExportOptions limit;
  limit.max_rank = 1;
  EXPECT_THROW(export_adalora_as_lora(dir, tmp.file("y"), limit), Error);
}

// Every adapted layer of `model` and whether any adapter is attached.
bool any_adapter_attached(torch::nn::Module& model) {
  for (const auto& item : model.named_modules()) {
    auto linear = std::dynamic_pointer_cast<nn::LinearImpl>(item.value());
    if (linear && linear->adapter()) return true;
  }
  return false;
}

// A failed load leaves the model as it was: nothing attached, nothing frozen.
void expect_refused_untouched(const std::string& case_dir, const std::string& adapter_dir, const std::string& needle) {
  auto model = models::load_pretrained(case_dir + "/base", models::TaskHead::SequenceClassification, torch::kFloat64);
  try {
    load_adapter(*model, adapter_dir);
    ADD_FAILURE() << "loaded " << adapter_dir;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  EXPECT_FALSE(any_adapter_attached(*model)) << adapter_dir;
  for (const auto& p : model->named_parameters()) EXPECT_TRUE(p.value().requires_grad()) << p.key();
}

TEST(PeftFixtures, BadAdaptersAreRefusedWithNothingAttached) {
  const std::string dir = kRoot + "/deberta_adalora_seq_cls";
  testing::TempDir tmp;
  auto variant = [&](const std::string& name, const std::function<void(io::Json&)>& edit) {
    const std::string out = tmp.file(name);
    fs::create_directories(out);
    fs::copy_file(dir + "/adapter/adapter_model.safetensors", out + "/adapter_model.safetensors");
    io::Json config = io::load_json_file(dir + "/adapter/adapter_config.json");
    edit(config);
    io::save_json_file(out + "/adapter_config.json", config);
    return out;
  };
  // The last module's pattern disagrees with its stored tensors: found after earlier modules fit.
  const std::string last = "deberta.encoder.layer.1.output.dense.lora_E";
  expect_refused_untouched(dir, variant("shape", [&](io::Json& c) {
    auto& bits = c["rank_pattern"][last];
    for (auto& b : bits) b = true;
  }), "layer.1.output.dense.lora_A\": expected shape [4, 64]");
  expect_refused_untouched(dir, variant("unknown_key", [&](io::Json& c) {
    c["rank_pattern"]["deberta.encoder.layer.7.output.dense.lora_E"] = c["rank_pattern"][last];
  }), "layer.7");
  expect_refused_untouched(dir, variant("no_save", [&](io::Json& c) {
    c["modules_to_save"] = {"head", "score"};
  }), "modules_to_save");
}

}  // namespace
}  // namespace adalora::peft
