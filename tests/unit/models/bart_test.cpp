// BART beyond the golden outputs: the key/value cache (token-by-token decoding equals the full
// decoder forward, beam reordering equals running the reordered batch), the loss on shifted labels,
// save/load of the final_logits_bias buffer and the tied embedding, LayerDrop, and the errors for
// bad configs and inputs.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/kv_cache.h"
#include "adalora/models/model.h"
#include "adalora/models/registry.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::models {
namespace {

io::Json tiny_bart_json() {
  io::Json json = testing::tiny_bart_config_json();
  json.update({{"scale_embedding", true}, {"pad_token_id", 1}, {"bos_token_id", 0},
               {"eos_token_id", 2}, {"decoder_start_token_id", 2}});
  return json;
}

ModelPtr tiny_bart(TaskHead head = TaskHead::Seq2SeqLM, const io::Json& json = tiny_bart_json()) {
  torch::manual_seed(7);
  auto model = build_model(io::HfConfig(json, "tiny/config.json"), head);
  torch::NoGradGuard no_grad;
  for (auto& b : model->named_buffers()) b.value().normal_(0.0, 0.1);  // final_logits_bias ≠ 0
  model->eval();
  return model;
}

// Encoder batch [3, 7]: row 1 has 4 real tokens, row 2 has 6 (pad id 1 after them).
ModelInputs encoder_batch() {
  ModelInputs in;
  torch::manual_seed(11);
  in.input_ids = torch::randint(3, 64, {3, 7}, torch::kLong);
  in.attention_mask = torch::ones({3, 7}, torch::kLong);
  in.attention_mask[1].narrow(0, 4, 3).zero_();
  in.attention_mask[2].narrow(0, 6, 1).zero_();
  in.input_ids.masked_fill_(in.attention_mask.eq(0), 1);
  return in;
}

torch::Tensor decoder_ids() {  // [3, 6], starting with decoder_start_token_id
  torch::manual_seed(12);
  auto ids = torch::randint(3, 64, {3, 6}, torch::kLong);
  ids.select(1, 0).fill_(2);
  return ids;
}

using testing::error_of;

TEST(BartTest, CachedDecodingEqualsFullDecoderForward) {
  auto model = tiny_bart();
  torch::NoGradGuard no_grad;
  auto in = encoder_batch();
  in.decoder_input_ids = decoder_ids();
  const auto full = model->forward(in);  // logits [3, 6, V]

  KvCache cache;
  const auto dec = decoder_ids();
  // One token, then two at once (causal mask over cached + new positions), then one at a time.
  const std::vector<std::pair<int64_t, int64_t>> chunks = {{0, 1}, {1, 2}, {3, 1}, {4, 1}, {5, 1}};
  for (const auto& [start, length] : chunks) {
    SCOPED_TRACE(str_cat("decoder positions ", start, "..", start + length - 1));
    ModelInputs step;
    if (start == 0) {  // the first call encodes; later calls pass only the new decoder tokens
      step.input_ids = in.input_ids;
      step.attention_mask = in.attention_mask;
    }
    step.decoder_input_ids = dec.narrow(1, start, length);
    step.cache = &cache;
    const auto out = model->forward(step);
    EXPECT_EQ(cache.length(), start + length);
    EXPECT_TENSOR_NEAR(out.logits, full.logits.narrow(1, start, length), 1e-5, 0);
    EXPECT_TENSOR_NEAR(out.encoder_last_hidden_state, full.encoder_last_hidden_state, 0, 0);
  }
  ASSERT_EQ(cache.cross_attention.size(), 2u);
  EXPECT_EQ(cache.cross_attention[0].key.sizes().vec(), (std::vector<int64_t>{3, 4, 7, 4}));
}

TEST(BartTest, ReorderedCacheEqualsReorderedBatch) {
  auto model = tiny_bart();
  torch::NoGradGuard no_grad;
  const auto in = encoder_batch();
  const auto dec = decoder_ids();
  KvCache cache;
  ModelInputs first = in;
  first.decoder_input_ids = dec.narrow(1, 0, 3);
  first.cache = &cache;
  model->forward(first);

  const auto beams = torch::tensor({2, 0, 0, 1}, torch::kLong);  // beam search keeps rows 2, 0, 0, 1
  cache.reorder(beams);
  ModelInputs next;
  next.decoder_input_ids = dec.index_select(0, beams).narrow(1, 3, 1);
  next.cache = &cache;
  const auto stepped = model->forward(next);

  ModelInputs reordered;
  reordered.input_ids = in.input_ids.index_select(0, beams);
  reordered.attention_mask = in.attention_mask.index_select(0, beams);
  reordered.decoder_input_ids = dec.index_select(0, beams).narrow(1, 0, 4);
  const auto expected = model->forward(reordered);
  EXPECT_TENSOR_NEAR(stepped.logits, expected.logits.narrow(1, 3, 1), 1e-5, 0);
}

// HF's own incremental decoding: feeding the stored greedy sequences one token at a time through
// the cache reproduces the raw next-token logits HF recorded at every step (gen.greedy.logits).
TEST(BartTest, CachedStepsReproduceHfGreedyLogitsGolden) {
  ADALORA_REQUIRE_GOLDEN("models");
  for (const std::string name : {"bart", "bart_scale_emb"}) {
    SCOPED_TRACE(name);
    const std::string dir = testing::golden_path("models/" + name);
    auto model = load_pretrained(dir, TaskHead::Seq2SeqLM);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto io_file = io::SafetensorsFile::open(dir + "/io.safetensors");
    const auto sequences = io_file.load("gen.greedy.sequences");  // [B, 1 + steps]
    const auto logits = io_file.load("gen.greedy.logits");        // [steps, B, V]
    KvCache cache;
    ModelInputs in;
    in.input_ids = io_file.load("gen.input_ids");
    in.attention_mask = io_file.load("gen.attention_mask");
    in.cache = &cache;
    for (int64_t t = 0; t < logits.size(0); ++t) {
      SCOPED_TRACE(str_cat("step ", t));
      in.decoder_input_ids = sequences.narrow(1, t, 1);
      const auto out = model->forward(in);
      EXPECT_TENSOR_NEAR(out.logits.select(1, 0), logits[t], 4e-5, 1e-4);
      in.input_ids = torch::Tensor();  // encoded once
      in.attention_mask = torch::Tensor();
    }
  }
}

TEST(BartTest, LossIsCrossEntropyOverShiftedLabels) {
  auto model = tiny_bart();
  auto in = encoder_batch();
  in.labels = torch::tensor({{5, 6, 7, 8, 2}, {9, 10, 2, -100, -100}, {11, 12, 13, 2, -100}}, torch::kLong);
  const auto out = model->forward(in);
  // shift_tokens_right(labels, pad=1, decoder_start=2): -100 → pad.
  ModelInputs explicit_in = encoder_batch();
  explicit_in.decoder_input_ids =
      torch::tensor({{2, 5, 6, 7, 8}, {2, 9, 10, 2, 1}, {2, 11, 12, 13, 2}}, torch::kLong);
  const auto logits = model->forward(explicit_in).logits;  // [3, 5, V]
  EXPECT_TENSOR_NEAR(out.logits, logits, 0, 0);
  const auto valid = in.labels.ne(-100);
  const auto log_probs = torch::log_softmax(logits, -1).gather(-1, in.labels.clamp_min(0).unsqueeze(-1)).squeeze(-1);
  const auto expected = -(log_probs * valid).sum() / valid.sum();
  EXPECT_TENSOR_NEAR(out.loss, expected, 1e-6, 0);
}

TEST(BartTest, TiedEmbeddingIsOneParameterAndThePadRowGetsTheHeadGradient) {
  auto model = tiny_bart();
  auto in = encoder_batch();
  in.decoder_input_ids = decoder_ids();
  in.labels = decoder_ids().roll(-1, 1);
  model->forward(in).loss.backward();
  auto params = model->named_parameters();
  const auto* shared = params.find("model.shared.weight");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(params.find("lm_head.weight"), nullptr);
  EXPECT_EQ(params.find("model.encoder.embed_tokens.weight"), nullptr);
  // The pad row is looked up with padding_idx (no gradient from the embeddings) but still
  // receives the LM head's (the golden test checks the full sum against HF).
  EXPECT_GT(shared->grad()[1].abs().sum().item<double>(), 0.0);
}

TEST(BartTest, SaveLoadKeepsLogitsBiasBufferAndTiedKeys) {
  auto model = tiny_bart();
  testing::TempDir dir;
  save_pretrained(*model, dir.path());
  const auto file = io::SafetensorsFile::open(dir.file("model.safetensors"));
  const auto names = file.names();
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("final_logits_bias"));
  EXPECT_TRUE(has("model.shared.weight"));
  EXPECT_TRUE(has("model.encoder.embed_positions.weight"));
  EXPECT_FALSE(has("lm_head.weight"));
  EXPECT_FALSE(has("model.decoder.embed_tokens.weight"));
  EXPECT_EQ(file.load("final_logits_bias").sizes().vec(), (std::vector<int64_t>{1, 64}));
  EXPECT_EQ(file.load("model.encoder.embed_positions.weight").size(0), 24 + 2);

  auto in = encoder_batch();
  in.decoder_input_ids = decoder_ids();
  torch::NoGradGuard no_grad;
  auto loaded = load_pretrained(dir.path(), TaskHead::Seq2SeqLM);
  loaded->eval();
  EXPECT_TENSOR_NEAR(loaded->forward(in).logits, model->forward(in).logits, 0, 0);

  // The bare BartModel loads the same folder; the logits bias is another head's key.
  LoadReport report;
  auto bare = load_pretrained(dir.path(), TaskHead::None, torch::kFloat32, &report);
  bare->eval();
  EXPECT_EQ(bare->hf_class(), "BartModel");
  EXPECT_EQ(report.ignored, std::vector<std::string>{"final_logits_bias"});
  EXPECT_TENSOR_NEAR(bare->forward(in).last_hidden_state, model->forward(in).last_hidden_state, 0, 0);
}

TEST(BartTest, BartModelShiftsInputIdsWithoutDecoderInputs) {
  auto model = tiny_bart(TaskHead::None);
  torch::NoGradGuard no_grad;
  auto in = encoder_batch();
  const auto implicit = model->forward(in).last_hidden_state;
  auto shifted = torch::full_like(in.input_ids, 2);
  shifted.narrow(1, 1, 6).copy_(in.input_ids.narrow(1, 0, 6));
  in.decoder_input_ids = shifted;
  EXPECT_TENSOR_NEAR(implicit, model->forward(in).last_hidden_state, 0, 0);
  EXPECT_TRUE(model->is_encoder_decoder());
}

TEST(BartTest, LayerDropSkipsLayersOnlyInTraining) {
  auto json = tiny_bart_json();
  json["encoder_layerdrop"] = 0.999999;
  json["dropout"] = 0.0;
  auto model = tiny_bart(TaskHead::Seq2SeqLM, json);
  auto in = encoder_batch();
  in.output_hidden_states = true;
  auto out = model->forward(in);  // eval: every layer runs
  EXPECT_FALSE(torch::equal(out.encoder_last_hidden_state, out.encoder_hidden_states[0]));
  model->train();
  out = model->forward(in);
  EXPECT_TRUE(torch::equal(out.encoder_last_hidden_state, out.encoder_hidden_states[0]));
}

TEST(BartTest, RegistryTargetsAndRefusedRelatives) {
  EXPECT_EQ(find_architecture("bart").default_targets, (std::vector<std::string>{"q_proj", "v_proj"}));
  auto json = tiny_bart_json();
  json["model_type"] = "mbart";
  EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(json, "m/config.json"), TaskHead::None); }),
                  "m/config.json: model_type \"mbart\" is not supported");
}

TEST(BartTest, ConfigErrorsNameFileAndField) {
  const std::vector<std::pair<io::Json, std::string>> cases = {
      {{{"d_model", 18}}, "tiny/config.json: encoder_attention_heads: expected a divisor of d_model=18, got 4"},
      {{{"activation_function", "swish2"}}, "tiny/config.json: activation_function: expected one of gelu"},
      {{{"decoder_layers", 0}}, "tiny/config.json: decoder_layers: expected a positive integer, got 0"},
      {{{"pad_token_id", 64}}, "tiny/config.json: pad_token_id: expected a token id below vocab_size=64"},
      {{{"decoder_start_token_id", -1}}, "tiny/config.json: decoder_start_token_id: expected a token id"},
      {{{"dropout", 1.5}}, "tiny/config.json: dropout: expected a probability in [0, 1)"},
      {{{"normalize_before", true}}, "tiny/config.json: normalize_before: expected false"},
      {{{"add_final_layer_norm", true}}, "tiny/config.json: add_final_layer_norm: expected false"},
      {{{"tie_word_embeddings", false}}, "tiny/config.json: tie_word_embeddings: expected true"},
      {{{"d_model", "wide"}}, "tiny/config.json: d_model: expected"},
  };
  for (const auto& [patch, message] : cases) {
    SCOPED_TRACE(patch.dump());
    auto json = tiny_bart_json();
    json.update(patch);
    EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(json, "tiny/config.json"), TaskHead::None); }),
                    message);
  }
  EXPECT_CONTAINS(error_of([&] {
                    build_model(io::HfConfig(tiny_bart_json(), "tiny/config.json"),
                                TaskHead::SequenceClassification);
                  }),
                  "tiny/config.json: BART supports the task heads none (BartModel) and seq2seq_lm");
}

TEST(BartTest, InputErrorsNameTheLimit) {
  auto model = tiny_bart();
  torch::NoGradGuard no_grad;
  ModelInputs in;
  in.input_ids = torch::full({1, 25}, 5, torch::kLong);
  EXPECT_CONTAINS(error_of([&] { model->forward(in); }),
                  "tiny/config.json: max_position_embeddings: expected input_ids of at most 24 positions, got 25");
  in.input_ids = torch::full({1, 4}, 64, torch::kLong);
  EXPECT_CONTAINS(error_of([&] { model->forward(in); }), "input_ids: token ids must lie in [0, 64)");
  // Decoding past the position table with a cache.
  in.input_ids = torch::full({1, 4}, 5, torch::kLong);
  KvCache cache;
  in.cache = &cache;
  in.decoder_input_ids = torch::full({1, 24}, 5, torch::kLong);
  model->forward(in);
  ModelInputs next;
  next.cache = &cache;
  next.decoder_input_ids = torch::full({1, 1}, 5, torch::kLong);
  EXPECT_CONTAINS(error_of([&] { model->forward(next); }),
                  "max_position_embeddings: expected decoder_input_ids of at most 24 positions, got 25");
}

}  // namespace
}  // namespace adalora::models
