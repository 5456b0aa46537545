// Incremental decoding through models/kv_cache.h for every decoder-only architecture: feeding a
// sequence token by token, or as a prefix plus chunks, with the KV cache gives the logits of one
// full forward (float32, 1e-5), with left padding and HF's generation position ids.
#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/models/model.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_models.h"

namespace adalora::models {
namespace {

struct Case {
  std::string name;
  std::string model_type;
  io::Json overrides;
};

std::vector<Case> cases() {
  return {{"gpt2", "gpt2", io::Json::object()},
          {"llama_gqa", "llama", io::Json::object()},
          {"llama_mqa", "llama", {{"num_key_value_heads", 1}}},
          {"llama_mha_tied_bias", "llama",
           {{"num_key_value_heads", 4}, {"tie_word_embeddings", true}, {"attention_bias", true}}},
          {"llama_rope_linear", "llama", {{"rope_scaling", {{"type", "linear"}, {"factor", 2.0}}}}},
          {"mistral", "mistral", io::Json::object()},
          {"qwen2", "qwen2", io::Json::object()}};
}

class DecoderKvCacheTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    model_ = testing::tiny_decoder(GetParam().model_type, TaskHead::CausalLM, 3, GetParam().overrides);
    torch::manual_seed(11);
    ids_ = torch::randint(0, 64, {2, 9}, torch::kLong);
    // Row 1 is left-padded by 3, as batched generation prompts are.
    mask_ = torch::ones({2, 9}, torch::kLong);
    mask_.index_put_({1, torch::indexing::Slice(0, 3)}, 0);
    // HF's prepare_inputs_for_generation: cumsum(mask) - 1, pads set to 1.
    positions_ = (mask_.cumsum(1) - 1).masked_fill(mask_.eq(0), 1);
  }

  // Feeds ids_ in pieces of the given lengths through one cache; returns the logits [2, 9, V].
  torch::Tensor incremental(const std::vector<int64_t>& pieces, bool with_mask) {
    torch::NoGradGuard no_grad;
    KvCache cache;
    std::vector<torch::Tensor> logits;
    int64_t start = 0;
    for (int64_t n : pieces) {
      ModelInputs in;
      in.input_ids = ids_.narrow(1, start, n);
      if (with_mask) {
        in.attention_mask = mask_.narrow(1, 0, start + n);  // cached + new positions
        in.position_ids = positions_.narrow(1, start, n);
      }
      in.cache = &cache;
      logits.push_back(model_->forward(in).logits);
      start += n;
      EXPECT_EQ(cache.length(), start);
    }
    return torch::cat(logits, 1);
  }

  torch::Tensor full(bool with_mask) {
    torch::NoGradGuard no_grad;
    ModelInputs in;
    in.input_ids = ids_;
    if (with_mask) {
      in.attention_mask = mask_;
      in.position_ids = positions_;
    }
    return model_->forward(in).logits;
  }

  // Logits at real (unpadded) positions only: a padded query attends to nothing real, and HF's
  // full forward and its cached steps give it different (meaningless) values too.
  torch::Tensor valid(const torch::Tensor& logits) { return logits.index({mask_.to(torch::kBool)}); }

  ModelPtr model_;
  torch::Tensor ids_, mask_, positions_;
};

TEST_P(DecoderKvCacheTest, TokenByTokenEqualsFullForward) {
  const auto expected = full(/*with_mask=*/true);
  const auto got = incremental(std::vector<int64_t>(9, 1), /*with_mask=*/true);
  EXPECT_TENSOR_NEAR(valid(got), valid(expected), 1e-5, 0);
}

TEST_P(DecoderKvCacheTest, PrefixAndChunksEqualFullForward) {
  const auto expected = full(/*with_mask=*/true);
  const auto got = incremental({4, 3, 2}, /*with_mask=*/true);
  EXPECT_TENSOR_NEAR(valid(got), valid(expected), 1e-5, 0);
}

TEST_P(DecoderKvCacheTest, DefaultPositionsContinueFromTheCache) {
  // No mask, no position ids: positions are arange(past, past + T) and every position is real.
  const auto expected = full(/*with_mask=*/false);
  EXPECT_TENSOR_NEAR(incremental({5, 1, 3}, /*with_mask=*/false), expected, 1e-5, 0);
}

TEST_P(DecoderKvCacheTest, RefusesAMaskThatDoesNotCoverTheCache) {
  KvCache cache;
  ModelInputs in;
  in.input_ids = ids_.narrow(1, 0, 4);
  in.cache = &cache;
  model_->forward(in);
  in.input_ids = ids_.narrow(1, 4, 1);
  in.attention_mask = mask_.narrow(1, 0, 1);  // should be [2, 5]
  try {
    model_->forward(in);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("attention_mask: expected [2, 5] (4 cached + 1 new positions)"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderKvCacheTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace adalora::models
