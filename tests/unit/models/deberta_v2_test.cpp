#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"
#include "adalora/models/relative_position.h"
#include "tests/support/golden.h"
#include "tests/support/tensor_asserts.h"

namespace adalora::models {
namespace {

io::Json deberta_v3_base_json() {
  return io::Json::parse(R"({
    "model_type": "deberta-v2", "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02,
    "intermediate_size": 3072, "max_position_embeddings": 512, "relative_attention": true,
    "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
    "pos_att_type": "p2c|c2p", "layer_norm_eps": 1e-7, "max_relative_positions": -1,
    "position_biased_input": false, "num_attention_heads": 12, "num_hidden_layers": 12,
    "type_vocab_size": 0, "vocab_size": 128100})");
}

// The bucket table for every distance in [-(max_pos-1), max_pos-1] equals HF's (debug tensors).
TEST(DebertaV2Test, LogBucketTableMatchesGolden) {
  ADALORA_REQUIRE_GOLDEN("models");
  for (const auto& [name, buckets, max_pos] :
       std::vector<std::tuple<std::string, int64_t, int64_t>>{{"deberta_v3", 256, 512},
                                                              {"deberta_v3_bucket8", 8, 64}}) {
    SCOPED_TRACE(name);
    const auto io_file = io::SafetensorsFile::open(testing::golden_path("models/" + name + "/io.safetensors"));
    const auto rel = io_file.load("debug.log_bucket_rel");
    const auto table = io_file.load("debug.log_bucket_table");
    EXPECT_TRUE(torch::equal(make_log_bucket_position(rel, buckets, max_pos), table));
    const auto rel_pos = io_file.load("debug.relative_pos");  // [16, 16]
    EXPECT_TRUE(torch::equal(build_relative_position(16, 16, buckets, max_pos).squeeze(0), rel_pos));
  }
}

TEST(DebertaV2Test, BucketingIsIdentityBelowHalfTheBuckets) {
  const auto rel = torch::arange(-128, 129, torch::kLong);
  EXPECT_TRUE(torch::equal(make_log_bucket_position(rel, 256, 512), rel));
  // Beyond mid the buckets are compressed but keep the sign and stay below the span.
  const auto far = make_log_bucket_position(torch::tensor({-511, -200, 200, 511}), 256, 512);
  EXPECT_TRUE(torch::equal(far.sign(), torch::tensor({-1, -1, 1, 1}, torch::kLong)));
  EXPECT_LE(far.abs().max().item<int64_t>(), 255);
}

// deberta-v3-base: 184M parameters with its 128100-token embedding (built once, ~0.75 GB).
TEST(DebertaV2Test, DebertaV3BaseParameterCount) {
  const auto model = build_model(io::HfConfig(deberta_v3_base_json(), "config.json"),
                                 TaskHead::SequenceClassification);
  const auto counts = count_parameters(*model);
  // embeddings 128100·768 + LN; 12 layers × 7,087,872; rel_embeddings 512·768 + LN;
  // pooler 768·768+768; classifier 2·768+2.
  const int64_t embeddings = 128100 * 768 + 2 * 768;
  const int64_t layer = 4 * (768 * 768 + 768) + 2 * 2 * 768 + (768 * 3072 + 3072) + (3072 * 768 + 768);
  const int64_t encoder_extra = 512 * 768 + 2 * 768;
  const int64_t head = 768 * 768 + 768 + 2 * 768 + 2;
  EXPECT_EQ(counts.total, embeddings + 12 * layer + encoder_extra + head);
  EXPECT_EQ(counts.trainable, counts.total);
  std::cout << "[ deberta-v3-base ] total parameters " << counts.total << "\n";
  EXPECT_NEAR(static_cast<double>(counts.total) / 1e6, 184.4, 0.5);
}

TEST(DebertaV2Test, PosAttTypeAcceptsStringAndList) {
  auto j = deberta_v3_base_json();
  j["hidden_size"] = 32; j["num_attention_heads"] = 4; j["num_hidden_layers"] = 1;
  j["intermediate_size"] = 64; j["vocab_size"] = 50;
  torch::manual_seed(0);
  auto a = build_model(io::HfConfig(j, "a.json"), TaskHead::None);
  j["pos_att_type"] = {"p2c", "c2p"};
  auto b = build_model(io::HfConfig(j, "b.json"), TaskHead::None);
  EXPECT_EQ(a->state_keys(), b->state_keys());
  j["pos_att_type"] = "p2c|x2y";
  try {
    build_model(io::HfConfig(j, "c.json"), TaskHead::None);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: pos_att_type: expected entries"), std::string::npos)
        << e.what();
  }
}

TEST(DebertaV2Test, UnsupportedConvLayerIsAnErrorNamingTheField) {
  auto j = deberta_v3_base_json();
  j["conv_kernel_size"] = 3;
  EXPECT_THROW(
      {
        try {
          build_model(io::HfConfig(j, "x/config.json"), TaskHead::None);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("x/config.json: conv_kernel_size: expected 0"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace adalora::models
