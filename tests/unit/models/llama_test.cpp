// LLaMA-family specifics: grouped- and multi-query attention (checked against plain multi-head
// attention with repeated key/value weights), tied embeddings, attention biases, Mistral and Qwen2
// through the same code, rope_scaling and sliding-window refusals naming the field, legacy
// inv_freq buffers, and half-precision checkpoints.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/models/registry.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::models {
namespace {

using testing::error_of;

ModelPtr decoder(const std::string& type, const io::Json& overrides = io::Json::object(),
                 TaskHead head = TaskHead::CausalLM, uint64_t seed = 0) {
  return testing::tiny_decoder(type, head, seed, overrides);
}

torch::Tensor logits_of(Model& model, const torch::Tensor& ids, const torch::Tensor& mask = {}) {
  torch::NoGradGuard no_grad;
  ModelInputs in;
  in.input_ids = ids;
  in.attention_mask = mask;
  return model.forward(in).logits;
}

// Copies every tensor of `from` into `to`, repeating k_proj/v_proj rows so that query head h of
// `to` (H key/value heads) sees key/value head h / (H / G) of `from` (G heads): repeat_kv.
void copy_expanding_kv(Model& from, Model& to, int64_t heads, int64_t kv_heads, int64_t head_dim) {
  torch::NoGradGuard no_grad;
  auto src = from.named_parameters();
  for (auto& p : to.named_parameters()) {
    auto value = src[p.key()];
    const bool kv = p.key().find("k_proj") != std::string::npos || p.key().find("v_proj") != std::string::npos;
    if (kv) {
      const int64_t rep = heads / kv_heads;
      auto w = value.view({kv_heads, 1, head_dim, -1}).expand({kv_heads, rep, head_dim, value.size(-1)});
      value = w.reshape({heads * head_dim, -1});
      if (p.value().dim() == 1) value = value.view({-1});
    }
    p.value().copy_(value);
  }
}

TEST(LlamaTest, GroupedAndMultiQueryAttentionEqualRepeatedKeyValueHeads) {
  auto ids = torch::randint(0, 64, {2, 7}, torch::kLong);
  auto mask = torch::ones({2, 7}, torch::kLong);
  mask.index_put_({1, torch::indexing::Slice(5, 7)}, 0);
  for (int64_t kv_heads : {2, 1}) {
    SCOPED_TRACE(kv_heads);
    auto grouped = decoder("llama", {{"num_key_value_heads", kv_heads}});
    EXPECT_EQ(grouped->named_parameters()["model.layers.0.self_attn.k_proj.weight"].sizes(),
              (std::vector<int64_t>{kv_heads * 8, 32}));
    auto full = decoder("llama", {{"num_key_value_heads", 4}}, TaskHead::CausalLM, 1);
    copy_expanding_kv(*grouped, *full, 4, kv_heads, 8);
    EXPECT_TENSOR_NEAR(logits_of(*grouped, ids, mask), logits_of(*full, ids, mask), 1e-5, 1e-5);
  }
}

TEST(LlamaTest, TiedEmbeddingsAndBiasesFollowTheConfig) {
  auto tied = decoder("llama", {{"tie_word_embeddings", true}});
  auto params = tied->named_parameters();
  EXPECT_EQ(params.find("lm_head.weight"), nullptr);
  auto ids = torch::randint(0, 64, {1, 5}, torch::kLong);
  torch::NoGradGuard no_grad;
  ModelInputs in;
  in.input_ids = ids;
  const auto out = tied->forward(in);
  EXPECT_TENSOR_NEAR(out.logits, torch::matmul(out.last_hidden_state, params["model.embed_tokens.weight"].t()),
                     1e-6, 1e-6);
  EXPECT_NE(decoder("llama")->named_parameters().find("lm_head.weight"), nullptr);

  auto biased = decoder("llama", {{"attention_bias", true}})->named_parameters();
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
    EXPECT_NE(biased.find(str_cat("model.layers.1.self_attn.", proj, ".bias")), nullptr) << proj;
  }
  EXPECT_EQ(biased.find("model.layers.0.mlp.up_proj.bias"), nullptr);
  // Qwen2: q/k/v with bias, o_proj without.
  auto qwen = decoder("qwen2")->named_parameters();
  for (const char* proj : {"q_proj", "k_proj", "v_proj"}) {
    EXPECT_NE(qwen.find(str_cat("model.layers.0.self_attn.", proj, ".bias")), nullptr) << proj;
  }
  EXPECT_EQ(qwen.find("model.layers.0.self_attn.o_proj.bias"), nullptr);
  EXPECT_EQ(decoder("mistral")->named_parameters().find("model.layers.0.self_attn.q_proj.bias"), nullptr);
}

TEST(LlamaTest, FamiliesShareTheCodeAndTheirClassNames) {
  // Same weights, same config values → the same logits whatever the family name.
  auto ids = torch::randint(0, 64, {1, 6}, torch::kLong);
  auto llama = decoder("llama", io::Json::object(), TaskHead::CausalLM, 5);
  auto mistral = decoder("mistral", io::Json::object(), TaskHead::CausalLM, 5);
  EXPECT_TENSOR_NEAR(logits_of(*mistral, ids), logits_of(*llama, ids), 0, 0);
  EXPECT_EQ(llama->hf_class(), "LlamaForCausalLM");
  EXPECT_EQ(mistral->hf_class(), "MistralForCausalLM");
  EXPECT_EQ(decoder("qwen2", io::Json::object(), TaskHead::None)->hf_class(), "Qwen2Model");
  for (const char* type : {"llama", "mistral", "qwen2"}) {
    EXPECT_EQ(find_architecture(type).default_targets, (std::vector<std::string>{"q_proj", "v_proj"}));
  }
  EXPECT_EQ(find_architecture("gpt2").default_targets, (std::vector<std::string>{"c_attn"}));
}

TEST(LlamaTest, ConfigErrorsNameTheField) {
  EXPECT_CONTAINS(error_of([] { decoder("llama", {{"rope_scaling", {{"type", "yarn"}, {"factor", 2.0}}}}); }),
                  "tiny llama config: rope_scaling.type: expected one of linear, dynamic");
  EXPECT_CONTAINS(error_of([] { decoder("llama", {{"rope_scaling", {{"type", "linear"}, {"factor", 1.0}}}}); }),
                  "rope_scaling.factor: expected a float > 1, got 1.0");
  EXPECT_CONTAINS(error_of([] { decoder("llama", {{"rope_scaling", {{"type", "linear"}}}}); }),
                  "rope_scaling: expected an object with exactly the fields \"type\" and \"factor\"");
  EXPECT_CONTAINS(error_of([] { decoder("mistral", {{"rope_scaling", {{"type", "linear"}, {"factor", 2.0}}}}); }),
                  "rope_scaling: expected null (Mistral in transformers 4.40.2 has no RoPE scaling)");
  EXPECT_CONTAINS(error_of([] { decoder("llama", {{"num_key_value_heads", 3}}); }),
                  "num_key_value_heads: expected a divisor of num_attention_heads=4, got 3");
  EXPECT_CONTAINS(error_of([] { decoder("llama", {{"hidden_act", "swiglu"}}); }),
                  "hidden_act: expected one of gelu");
  EXPECT_CONTAINS(error_of([] { decoder("qwen2", {{"use_sliding_window", true}}); }),
                  "use_sliding_window: expected false (sliding-window attention is not implemented), got true");
  EXPECT_CONTAINS(error_of([] { decoder("llama", io::Json::object(), TaskHead::MaskedLM); }),
                  "Llama has no masked_lm head here (supported: none, causal_lm)");
}

TEST(LlamaTest, SequencesBeyondTheSlidingWindowAreRefused) {
  for (const char* type : {"mistral", "qwen2"}) {
    SCOPED_TRACE(type);
    auto model = decoder(type, {{"sliding_window", 6}});
    EXPECT_NO_THROW(logits_of(*model, torch::zeros({1, 6}, torch::kLong)));
    EXPECT_CONTAINS(error_of([&] { logits_of(*model, torch::zeros({1, 7}, torch::kLong)); }),
                    "7 positions (0 cached + 7 new) exceed the config's sliding_window=6");
  }
  // sliding_window null: no limit.
  EXPECT_NO_THROW(logits_of(*decoder("mistral", {{"sliding_window", nullptr}}), torch::zeros({1, 9}, torch::kLong)));
}

TEST(LlamaTest, RopeScalingChangesOnlyWhatItShould) {
  auto ids = torch::randint(0, 64, {1, 10}, torch::kLong);
  const auto base = logits_of(*decoder("llama"), ids);
  EXPECT_GT((logits_of(*decoder("llama", {{"rope_scaling", {{"type", "linear"}, {"factor", 4.0}}}}), ids) - base)
                .abs()
                .max()
                .item<double>(),
            1e-4);
  // Dynamic NTK only rescales past max_position_embeddings.
  auto dynamic = decoder("llama", {{"rope_scaling", {{"type", "dynamic"}, {"factor", 2.0}}},
                                   {"max_position_embeddings", 10}});
  EXPECT_TENSOR_NEAR(logits_of(*dynamic, ids), base, 0, 0);
  auto longer = torch::cat({ids, ids}, 1);
  EXPECT_GT((logits_of(*dynamic, longer) - logits_of(*decoder("llama"), longer)).abs().max().item<double>(), 1e-4);
}

TEST(LlamaTest, LegacyRotaryBuffersAreSkippedAndMissingKeysListed) {
  auto model = decoder("llama");
  testing::TempDir dir;
  save_pretrained(*model, dir.path());
  auto file = io::SafetensorsFile::open(dir.file("model.safetensors"));
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& n : file.names()) {
    if (n != "model.layers.1.mlp.up_proj.weight" && n != "model.norm.weight") tensors.emplace_back(n, file.load(n));
  }
  for (int i = 0; i < 2; ++i) {
    tensors.emplace_back(str_cat("model.layers.", i, ".self_attn.rotary_emb.inv_freq"), torch::ones({4}));
  }
  io::save_safetensors(dir.file("model.safetensors"), tensors);
  const auto msg = error_of([&] { load_pretrained(dir.path(), TaskHead::CausalLM); });
  EXPECT_CONTAINS(msg, "missing (2): model.layers.1.mlp.up_proj.weight, model.norm.weight");
  EXPECT_EQ(msg.find("inv_freq"), std::string::npos) << msg;
}

TEST(LlamaTest, HalfPrecisionCheckpointsLoadIntoTheRequestedDtype) {
  auto model = decoder("llama");
  auto ids = torch::randint(0, 64, {2, 5}, torch::kLong);
  for (auto dtype : {torch::kBFloat16, torch::kFloat16}) {
    SCOPED_TRACE(c10::toString(dtype));
    testing::TempDir dir;
    model->to(dtype);
    save_pretrained(*model, dir.path());
    model->to(torch::kFloat32);
    auto file = io::SafetensorsFile::open(dir.file("model.safetensors"));
    EXPECT_EQ(file.info("model.embed_tokens.weight").dtype, dtype == torch::kBFloat16 ? "BF16" : "F16");
    EXPECT_EQ(io::load_json_file(dir.file("config.json")).at("torch_dtype").get<std::string>(),
              dtype == torch::kBFloat16 ? "bfloat16" : "float16");
    // Into float32: every tensor is the stored half value, exactly.
    auto loaded = load_pretrained(dir.path(), TaskHead::CausalLM);
    for (auto& p : loaded->named_parameters()) {
      EXPECT_EQ(p.value().scalar_type(), torch::kFloat32) << p.key();
      EXPECT_TRUE(torch::equal(p.value(), file.load(p.key()).to(torch::kFloat32))) << p.key();
    }
    if (dtype != torch::kBFloat16) continue;  // LibTorch 1.13 has no float16 matmul on the CPU
    // Kept in bfloat16: the forward runs in it and returns float32 logits, as HF.
    auto half = load_pretrained(dir.path(), TaskHead::CausalLM, dtype);
    EXPECT_EQ(half->named_parameters()["model.layers.0.self_attn.q_proj.weight"].scalar_type(), dtype);
    const auto logits = logits_of(*half, ids);
    EXPECT_EQ(logits.scalar_type(), torch::kFloat32);
    EXPECT_LT((logits - logits_of(*loaded, ids)).abs().max().item<double>(), 0.5);
  }
}

}  // namespace
}  // namespace adalora::models
