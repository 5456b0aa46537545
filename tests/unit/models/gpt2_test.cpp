// GPT-2 specifics: GPT2Config defaults, aliases and refused flags, Conv1D [in, out] weights, the
// tied LM head, attention scaling flags, the shifted causal-LM loss, position limits, and loading
// checkpoints that hold legacy attention-mask buffers.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/heads.h"
#include "adalora/models/model.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::models {
namespace {

using testing::error_of;

ModelPtr gpt2(const io::Json& overrides = io::Json::object(), TaskHead head = TaskHead::CausalLM) {
  return testing::tiny_decoder("gpt2", head, 0, overrides);
}

torch::Tensor gpt2_logits(Model& model, const torch::Tensor& ids) {
  torch::NoGradGuard no_grad;
  ModelInputs in;
  in.input_ids = ids;
  return model.forward(in).logits;
}

TEST(Gpt2Test, Conv1DWeightsAreInByOutAndTheHeadIsTied) {
  auto model = gpt2(io::Json{{"n_inner", nullptr}});  // null → 4 · n_embd
  auto params = model->named_parameters();
  EXPECT_EQ(params["transformer.h.0.attn.c_attn.weight"].sizes(), (std::vector<int64_t>{32, 96}));
  EXPECT_EQ(params["transformer.h.0.attn.c_proj.weight"].sizes(), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(params["transformer.h.1.mlp.c_fc.weight"].sizes(), (std::vector<int64_t>{32, 128}));
  EXPECT_EQ(params["transformer.h.1.mlp.c_proj.weight"].sizes(), (std::vector<int64_t>{128, 32}));
  EXPECT_EQ(params.find("lm_head.weight"), nullptr);
  EXPECT_EQ(model->hf_class(), "GPT2LMHeadModel");
  auto ids = torch::randint(0, 64, {2, 5}, torch::kLong);
  torch::NoGradGuard no_grad;
  ModelInputs in;
  in.input_ids = ids;
  const auto out = model->forward(in);
  EXPECT_TENSOR_NEAR(out.logits, torch::matmul(out.last_hidden_state, params["transformer.wte.weight"].t()),
                     1e-6, 1e-6);
  auto bare = gpt2(io::Json::object(), TaskHead::None);
  EXPECT_NE(bare->named_parameters().find("h.0.attn.c_attn.weight"), nullptr);
  EXPECT_EQ(bare->hf_class(), "GPT2Model");
}

TEST(Gpt2Test, ConfigAliasesAndRefusedFlagsNameTheField) {
  // GPT2Config.attribute_map: hidden_size → n_embd, num_hidden_layers → n_layer, ...
  auto model = gpt2({{"hidden_size", 16}, {"num_hidden_layers", 1}, {"num_attention_heads", 2}});
  EXPECT_EQ(model->named_parameters()["transformer.wte.weight"].size(1), 16);
  EXPECT_EQ(model->named_parameters().find("transformer.h.1.ln_1.weight"), nullptr);
  EXPECT_CONTAINS(error_of([] { gpt2({{"reorder_and_upcast_attn", true}}); }),
                  "tiny gpt2 config: reorder_and_upcast_attn: expected false (not implemented), got true");
  EXPECT_CONTAINS(error_of([] { gpt2({{"add_cross_attention", true}}); }), "add_cross_attention: expected false");
  EXPECT_CONTAINS(error_of([] { gpt2({{"activation_function", "gelu_newer"}}); }),
                  "activation_function: expected one of gelu, gelu_python, gelu_new");
  EXPECT_CONTAINS(error_of([] { gpt2({{"n_head", 5}}); }), "n_head: expected a divisor of n_embd=32, got 5");
  EXPECT_CONTAINS(error_of([] { gpt2({{"attn_pdrop", 1.5}}); }), "attn_pdrop: expected a probability");
  EXPECT_CONTAINS(error_of([] { gpt2(io::Json::object(), TaskHead::SequenceClassification); }),
                  "GPT-2 has no sequence_classification head here (supported: none, causal_lm)");
}

TEST(Gpt2Test, AttentionScalingFlagsChangeTheScores) {
  auto ids = torch::randint(0, 64, {1, 6}, torch::kLong);
  const auto base = gpt2_logits(*gpt2(), ids);
  EXPECT_GT((gpt2_logits(*gpt2({{"scale_attn_weights", false}}), ids) - base).abs().max().item<double>(), 1e-4);
  // Layer i divides by i + 1: one layer is unchanged, two layers are not.
  EXPECT_TENSOR_NEAR(gpt2_logits(*gpt2({{"n_layer", 1}, {"scale_attn_by_inverse_layer_idx", true}}), ids),
                     gpt2_logits(*gpt2({{"n_layer", 1}}), ids), 1e-6, 0);
  EXPECT_GT((gpt2_logits(*gpt2({{"scale_attn_by_inverse_layer_idx", true}}), ids) - base).abs().max().item<double>(),
            1e-4);
  // The activation is read from the config: exact GELU is not gelu_new.
  EXPECT_GT((gpt2_logits(*gpt2({{"activation_function", "gelu"}}), ids) - base).abs().max().item<double>(), 1e-6);
}

TEST(Gpt2Test, LossIsNextTokenCrossEntropyIgnoringMinus100) {
  auto model = gpt2();
  auto ids = torch::randint(0, 64, {2, 7}, torch::kLong);
  auto labels = ids.clone();
  labels.index_put_({1, torch::indexing::Slice(4, 7)}, -100);
  ModelInputs in;
  in.input_ids = ids;
  in.labels = labels;
  const auto out = model->forward(in);
  // By hand: position t predicts labels[t + 1]; mean over the 6 + 3 kept targets.
  const auto logp = torch::log_softmax(out.logits.detach().to(torch::kFloat64), -1);
  double sum = 0;
  int n = 0;
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t + 1 < 7; ++t) {
      const int64_t y = labels[b][t + 1].item<int64_t>();
      if (y == -100) continue;
      sum -= logp[b][t][y].item<double>();
      ++n;
    }
  }
  EXPECT_EQ(n, 9);
  EXPECT_NEAR(out.loss.item<double>(), sum / n, 1e-5);
  EXPECT_CONTAINS(error_of([&] { causal_lm_loss(out.logits, labels.to(torch::kFloat32)); }),
                  "causal LM: labels: expected integer token ids");
}

TEST(Gpt2Test, PositionsBeyondNPositionsAreRefused) {
  auto model = gpt2({{"n_positions", 8}});
  EXPECT_NO_THROW(gpt2_logits(*model, torch::zeros({1, 8}, torch::kLong)));
  EXPECT_CONTAINS(error_of([&] { gpt2_logits(*model, torch::zeros({1, 9}, torch::kLong)); }),
                  "GPT2Model: 9 positions (0 cached + 9 new) exceed n_positions=8");
}

TEST(Gpt2Test, LoadsCheckpointsWithLegacyMaskBuffersAndWithoutThePrefix) {
  auto bare = gpt2(io::Json::object(), TaskHead::None);
  testing::TempDir dir;
  save_pretrained(*bare, dir.path());
  // Rewrite as older transformers saved GPT2Model: plus the attn.bias / attn.masked_bias buffers.
  auto file = io::SafetensorsFile::open(dir.file("model.safetensors"));
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& n : file.names()) tensors.emplace_back(n, file.load(n));
  for (int i = 0; i < 2; ++i) {
    tensors.emplace_back(str_cat("h.", i, ".attn.bias"), torch::ones({1, 1, 64, 64}).tril());
    tensors.emplace_back(str_cat("h.", i, ".attn.masked_bias"), torch::full({}, -1e4));
  }
  io::save_safetensors(dir.file("model.safetensors"), tensors);
  LoadReport report;
  auto lm = load_pretrained(dir.path(), TaskHead::CausalLM, torch::kFloat32, &report);
  EXPECT_EQ(report.ignored.size(), 4u);
  EXPECT_TRUE(report.newly_initialized.empty());  // the LM head is tied: nothing to initialise
  EXPECT_TRUE(torch::equal(lm->named_parameters()["transformer.h.1.mlp.c_fc.weight"],
                           bare->named_parameters()["h.1.mlp.c_fc.weight"]));
  // An unknown key is still an error that names it.
  tensors.emplace_back("h.0.attn.rotary", torch::zeros({2}));
  io::save_safetensors(dir.file("model.safetensors"), tensors);
  EXPECT_CONTAINS(error_of([&] { load_pretrained(dir.path(), TaskHead::CausalLM); }),
                  "unexpected (1): h.0.attn.rotary");
}

}  // namespace
}  // namespace adalora::models
