// generate() vs HuggingFace transformers v4.40.2 generate() (../shared/golden/models/<case>/):
// for every case whose io.safetensors holds gen.* tensors and every mode its case.json records
// under "generation" (greedy, beam4, ...): the sequences exactly, the per-step scores and raw
// logits and the beam sequences_scores within the case's recommended logits tolerance.
//
// Data-driven: the model is loaded from the folder with the head its hf_class names and decoded
// with generation_config.json overridden by the recorded kwargs, as HF's generate(**kwargs) does.
// An architecture that is not registered fails (it is not skipped).
#include <gtest/gtest.h>

#include <iostream>

#include "adalora/generation/generate.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "tests/support/golden.h"
#include "tests/support/golden_case_name.h"
#include "tests/support/hf_class_head.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::generation {
namespace {

const char* kNoGenerationGolden = "golden_data_missing";

// Cases whose io.safetensors has gen.* tensors.
std::vector<std::string> generation_cases() {
  std::vector<std::string> out;
  for (const auto& name : testing::golden_cases("models", "case.json")) {
    try {
      const auto file =
          io::SafetensorsFile::open(testing::golden_path("models/" + name + "/io.safetensors"));
      for (const auto& key : file.names()) {
        if (key.rfind("gen.", 0) == 0) {
          out.push_back(name);
          break;
        }
      }
    } catch (const std::exception&) {
      out.push_back(name);  // unreadable: the test itself reports why
    }
  }
  if (out.empty()) out.push_back(kNoGenerationGolden);
  return out;
}

// Same -inf pattern, finite values within tolerance.
void expect_scores_near(const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                        double rtol, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const torch::Tensor inf_a = actual.isinf(), inf_e = expected.isinf();
  EXPECT_TRUE(torch::equal(inf_a, inf_e)) << what << ": -inf positions differ";
  const torch::Tensor a = actual.masked_fill(inf_a, 0), e = expected.masked_fill(inf_e, 0);
  std::cout << "  " << what << ": max |diff| "
            << (a.to(torch::kFloat64) - e.to(torch::kFloat64)).abs().max().item<double>()
            << " (atol " << atol << ", rtol " << rtol << ")\n";
  EXPECT_TENSOR_NEAR(a, e, atol, rtol);
}

class GenerationGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GenerationGoldenTest, MatchesTransformersGenerate) {
  ADALORA_REQUIRE_GOLDEN("models");
  const std::string name = GetParam();
  ASSERT_NE(name, kNoGenerationGolden) << "no case under " << testing::golden_path("models")
                             << " has gen.* tensors";
  const std::string dir = testing::golden_path("models/" + name);
  const io::Json spec = io::load_json_file(dir + "/case.json");
  const std::string hf_class = spec.at("hf_class").get<std::string>();
  SCOPED_TRACE("case " + name + " (" + hf_class + ")");
  const auto head = testing::head_of_hf_class(hf_class);
  if (head != models::TaskHead::Seq2SeqLM && head != models::TaskHead::CausalLM) {
    FAIL() << "case " << name << ": " << hf_class
           << " is not a generative class of a supported family (tests/support/hf_class_head.h)";
  }
  models::ModelPtr model;
  try {
    model = models::load_pretrained(dir, *head);
  } catch (const std::exception& e) {
    FAIL() << "case " << name << ": cannot load " << hf_class << ": " << e.what();
  }
  model->eval();
  const auto io_file = io::SafetensorsFile::open(dir + "/io.safetensors");
  const torch::Tensor input_ids = io_file.load("gen.input_ids");
  const torch::Tensor attention_mask = io_file.load("gen.attention_mask");
  const double atol = spec.at("recommended_atol").at("logits").get<double>();
  const double rtol = spec.at("recommended_rtol").get<double>();
  const GenerationConfig from_folder = load_generation_config(dir);

  ASSERT_FALSE(spec.at("generation").empty());
  for (const auto& [mode, record] : spec.at("generation").items()) {
    SCOPED_TRACE("mode " + mode);
    std::cout << "[ " << name << " / " << mode << " ]\n";
    const io::Json& kwargs = record.at("kwargs");
    GenerationConfig config = parse_generation_config(
        io::JsonObject(kwargs, dir + "/case.json: generation." + mode + ".kwargs"), from_folder);
    config.output_scores = config.output_logits = true;
    for (bool use_cache : {true, false}) {
      SCOPED_TRACE(use_cache ? "with cache" : "without cache");
      config.use_cache = use_cache;
      const GenerateOutput out = generate(*model, input_ids, attention_mask, config);
      const std::string prefix = "gen." + mode + ".";
      const torch::Tensor expected = io_file.load(prefix + "sequences");
      ASSERT_TRUE(out.sequences.sizes() == expected.sizes() && torch::equal(out.sequences, expected))
          << "sequences differ\nours\n" << out.sequences << "\nHF\n" << expected;
      ASSERT_FALSE(out.scores.empty());
      expect_scores_near(torch::stack(out.scores), io_file.load(prefix + "scores"), atol, rtol,
                         prefix + "scores");
      expect_scores_near(torch::stack(out.logits), io_file.load(prefix + "logits"), atol, rtol,
                         prefix + "logits");
      if (config.num_beams > 1) {
        expect_scores_near(out.sequences_scores, io_file.load(prefix + "sequences_scores"), atol,
                           rtol, prefix + "sequences_scores");
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GenerationGoldenTest, ::testing::ValuesIn(generation_cases()),
                         testing::golden_case_test_name);

}  // namespace
}  // namespace adalora::generation
