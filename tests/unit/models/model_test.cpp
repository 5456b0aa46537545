// Behaviour common to every encoder architecture: config errors, registry, load/save, dropout,
// tied MLM decoders, loss rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/models/registry.h"
#include "tests/support/error_text.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::models {
namespace {

io::Json tiny_json(const std::string& model_type) {
  io::Json j = {{"model_type", model_type}, {"vocab_size", 100},      {"hidden_size", 32},
                {"num_hidden_layers", 2},   {"num_attention_heads", 4}, {"intermediate_size", 64},
                {"max_position_embeddings", 64}, {"initializer_range", 0.2}};
  if (model_type == "deberta-v2") {
    j.update({{"relative_attention", true}, {"position_buckets", 8}, {"norm_rel_ebd", "layer_norm"},
              {"share_att_key", true}, {"pos_att_type", "p2c|c2p"}, {"position_biased_input", false},
              {"type_vocab_size", 0}});
  }
  return j;
}

using testing::error_of;

TEST(ModelTest, UnknownModelTypeListsSupportedOnes) {
  const auto msg = error_of([] { build_model(io::HfConfig(tiny_json("t5"), "m/config.json"), TaskHead::None); });
  EXPECT_CONTAINS(msg, "m/config.json: model_type \"t5\" is not supported (supported: bart, bert, deberta-v2, gpt2, llama, mistral, qwen2, roberta)");
}

TEST(ModelTest, ConfigErrorsNameFileAndField) {
  for (const std::string type : {"bert", "roberta", "deberta-v2"}) {
    SCOPED_TRACE(type);
    auto j = tiny_json(type);
    j["hidden_act"] = "swish2";
    EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(j, "config.json"), TaskHead::None); }),
                    "config.json: hidden_act: expected one of gelu, gelu_python, gelu_new");
    j = tiny_json(type);
    j["num_attention_heads"] = 5;
    EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(j, "config.json"), TaskHead::None); }),
                    "config.json: num_attention_heads: expected a divisor of hidden_size=32, got 5");
    j = tiny_json(type);
    j["hidden_size"] = "big";
    EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(j, "config.json"), TaskHead::None); }),
                    "config.json: hidden_size: expected an integer, got \"big\"");
  }
  auto j = tiny_json("bert");
  j["position_embedding_type"] = "relative_key";
  EXPECT_CONTAINS(error_of([&] { build_model(io::HfConfig(j, "config.json"), TaskHead::None); }),
                  "config.json: position_embedding_type: expected one of absolute, got \"relative_key\"");
}

TEST(ModelTest, ParameterNamesAreHfKeys) {
  auto bert = build_model(io::HfConfig(tiny_json("bert"), "c"), TaskHead::SequenceClassification);
  const auto& keys = bert->state_keys();
  for (const std::string k : {"bert.embeddings.word_embeddings.weight",
                              "bert.encoder.layer.0.attention.self.query.weight",
                              "bert.encoder.layer.1.output.LayerNorm.bias", "bert.pooler.dense.weight",
                              "classifier.weight"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
  auto deberta = build_model(io::HfConfig(tiny_json("deberta-v2"), "c"), TaskHead::None);
  const auto& dk = deberta->state_keys();
  for (const std::string k : {"encoder.layer.0.attention.self.query_proj.weight",
                              "encoder.rel_embeddings.weight", "encoder.LayerNorm.weight"}) {
    EXPECT_NE(std::find(dk.begin(), dk.end(), k), dk.end()) << k;
  }
}

TEST(ModelTest, SaveLoadRoundTripAndLoadErrorsListEveryKey) {
  testing::TempDir tmp;
  torch::manual_seed(1);
  auto model = build_model(io::HfConfig(tiny_json("roberta"), "c"), TaskHead::SequenceClassification);
  model->eval();
  save_pretrained(*model, tmp.path());
  auto loaded = load_pretrained(tmp.path(), TaskHead::SequenceClassification);
  loaded->eval();
  ModelInputs in;
  in.input_ids = torch::tensor({{0, 5, 6, 7, 2}, {0, 8, 2, 1, 1}});
  in.attention_mask = in.input_ids.ne(1).to(torch::kLong);
  EXPECT_TENSOR_NEAR(loaded->forward(in).logits, model->forward(in).logits, 0, 0);

  // A bare-model load of the same folder strips the prefix and skips the classifier.
  LoadReport report;
  load_pretrained(tmp.path(), TaskHead::None, torch::kFloat32, &report);
  EXPECT_FALSE(report.ignored.empty());

  // A DeBERTa folder loaded as BERT: one error naming missing and unexpected keys.
  testing::TempDir other;
  save_pretrained(*build_model(io::HfConfig(tiny_json("deberta-v2"), "c"), TaskHead::None), other.path());
  auto cfg = io::load_json_file(other.file("config.json"));
  auto bert_cfg = tiny_json("bert");
  io::save_json_file(other.file("config.json"), bert_cfg);
  const auto msg = error_of([&] { load_pretrained(other.path(), TaskHead::None); });
  EXPECT_CONTAINS(msg, "checkpoint does not match BertModel");
  EXPECT_CONTAINS(msg, "missing (");
  EXPECT_CONTAINS(msg, "embeddings.position_embeddings.weight");
  EXPECT_CONTAINS(msg, "unexpected (");
  EXPECT_CONTAINS(msg, "encoder.rel_embeddings.weight");

  // Wrong shapes: expected and got.
  auto wide = tiny_json("roberta");
  wide["intermediate_size"] = 48;
  io::save_json_file(tmp.file("config.json"), wide);
  const auto shape_msg = error_of([&] { load_pretrained(tmp.path(), TaskHead::SequenceClassification); });
  EXPECT_CONTAINS(shape_msg, "wrong shape: \"roberta.encoder.layer.0.intermediate.dense.weight\": "
                             "expected shape [48, 32], got [64, 32]");
}

TEST(ModelTest, MismatchedHeadIsReinitialisedOnlyWhenAskedAndNeverTheEncoder) {
  // A checkpoint fine-tuned for 3 labels, loaded for 2 (HF's ignore_mismatched_sizes).
  testing::TempDir tmp;
  torch::manual_seed(1);
  auto three = tiny_json("bert");
  three["num_labels"] = 3;
  auto saved = build_model(io::HfConfig(three, "c"), TaskHead::SequenceClassification);
  save_pretrained(*saved, tmp.path());
  auto two = tiny_json("bert");
  two["num_labels"] = 2;
  torch::manual_seed(7);
  auto model = build_model(io::HfConfig(two, "c"), TaskHead::SequenceClassification);
  const auto fresh_classifier = model->named_parameters()["classifier.weight"].clone();

  const auto msg = error_of([&] { load_weights(*model, tmp.path()); });
  EXPECT_CONTAINS(msg, "wrong shape: \"classifier.weight\": expected shape [2, 32], got [3, 32]");

  LoadReport report;
  load_weights(*model, tmp.path(), &report, /*ignore_mismatched_head=*/true);
  ASSERT_EQ(report.mismatched_head.size(), 2u);  // classifier weight and bias
  EXPECT_CONTAINS(report.mismatched_head[0], "classifier.");
  EXPECT_TENSOR_NEAR(model->named_parameters()["classifier.weight"], fresh_classifier, 0, 0);
  EXPECT_TENSOR_NEAR(model->named_parameters()["bert.encoder.layer.1.output.dense.weight"],
                     saved->named_parameters()["bert.encoder.layer.1.output.dense.weight"], 0, 0);

  // The encoder is never silently re-initialised.
  auto wide = two;
  wide["intermediate_size"] = 48;
  auto wide_model = build_model(io::HfConfig(wide, "c"), TaskHead::SequenceClassification);
  const auto enc_msg = error_of([&] { load_weights(*wide_model, tmp.path(), nullptr, true); });
  EXPECT_CONTAINS(enc_msg, "wrong shape: \"bert.encoder.layer.0.intermediate.dense.weight\"");
}

TEST(ModelTest, DropoutOnlyInTraining) {
  for (const std::string type : {"bert", "roberta", "deberta-v2"}) {
    SCOPED_TRACE(type);
    auto model = build_model(io::HfConfig(tiny_json(type), "c"), TaskHead::None);
    ModelInputs in;
    in.input_ids = torch::randint(3, 100, {2, 7});
    model->train();
    const auto a = model->forward(in).last_hidden_state, b = model->forward(in).last_hidden_state;
    EXPECT_FALSE(torch::allclose(a, b));
    model->eval();
    EXPECT_TRUE(torch::equal(model->forward(in).last_hidden_state, model->forward(in).last_hidden_state));
  }
}

TEST(ModelTest, MaskedLmDecoderIsTiedToWordEmbeddings) {
  for (const std::string type : {"bert", "roberta", "deberta-v2"}) {
    SCOPED_TRACE(type);
    auto model = build_model(io::HfConfig(tiny_json(type), "c"), TaskHead::MaskedLM);
    const auto& keys = model->state_keys();
    for (const auto& k : keys) EXPECT_EQ(k.find("decoder"), std::string::npos) << k;
    ModelInputs in;
    in.input_ids = torch::randint(3, 100, {2, 6});
    in.labels = torch::full({2, 6}, -100, torch::kLong);
    in.labels.index_put_({0, 2}, 17);
    model->eval();
    auto out = model->forward(in);
    EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{2, 6, 100}));
    out.loss.backward();
    const std::string emb = (type == "deberta-v2" ? "deberta" : type) + ".embeddings.word_embeddings.weight";
    const auto* w = model->named_parameters().find(emb);
    ASSERT_NE(w, nullptr);
    // Every vocabulary row gets a gradient through the tied decoder.
    EXPECT_GT(w->grad().abs().sum(1).gt(0).sum().item<int64_t>(), 90);
  }
}

TEST(ModelTest, ProblemTypeFollowsHf) {
  auto j = tiny_json("bert");
  j["num_labels"] = 1;
  auto reg = build_model(io::HfConfig(j, "c"), TaskHead::SequenceClassification);
  reg->eval();
  ModelInputs in;
  in.input_ids = torch::randint(3, 100, {2, 5});
  in.labels = torch::tensor({0.5, -1.0});
  auto out = reg->forward(in);
  EXPECT_NEAR(out.loss.item<double>(),
              torch::mse_loss(out.logits.squeeze(), in.labels).item<double>(), 1e-6);
  j["num_labels"] = 3;
  auto multi = build_model(io::HfConfig(j, "c"), TaskHead::SequenceClassification);
  multi->eval();
  in.labels = torch::tensor({{1.0, 0.0, 1.0}, {0.0, 0.0, 1.0}});
  out = multi->forward(in);
  EXPECT_NEAR(out.loss.item<double>(),
              torch::binary_cross_entropy_with_logits(out.logits, in.labels).item<double>(), 1e-6);
}

}  // namespace
}  // namespace adalora::models

namespace adalora::models {
namespace {

// bert-base-uncased / roberta-base shapes with a 2-label head: the counts HF reports.
TEST(ModelTest, BaseSizedParameterCountsMatchHf) {
  io::Json bert = {{"model_type", "bert"}, {"vocab_size", 30522}, {"max_position_embeddings", 512},
                   {"type_vocab_size", 2}};
  EXPECT_EQ(count_parameters(*build_model(io::HfConfig(bert, "bert-base"),
                                          TaskHead::SequenceClassification)).total,
            109483778);
  io::Json roberta = {{"model_type", "roberta"}, {"vocab_size", 50265},
                      {"max_position_embeddings", 514}, {"type_vocab_size", 1}};
  EXPECT_EQ(count_parameters(*build_model(io::HfConfig(roberta, "roberta-base"),
                                          TaskHead::SequenceClassification)).total,
            124647170);
}

}  // namespace
}  // namespace adalora::models
