// Each logits processor against hand-computed values, and HF's order of the list.
#include "adalora/generation/logits_processors.h"

#include <gtest/gtest.h>

#include <limits>

#include "tests/support/tensor_asserts.h"

namespace adalora::generation {
namespace {

const float kInf = std::numeric_limits<float>::infinity();

torch::Tensor row_ids(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong).view({1, -1}); }
torch::Tensor row(std::vector<float> v) { return torch::tensor(v).view({1, -1}); }

TEST(LogitsProcessorsTest, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  auto p = repetition_penalty_processor(2.0);
  EXPECT_TENSOR_NEAR(p.apply(row_ids({0, 1, 1}), row({-1, 2, 0.5, 3})), row({-2, 1, 0.5, 3}), 0, 0);
}

TEST(LogitsProcessorsTest, NoRepeatNgramBansTheTokenThatRepeatsAnNgram) {
  auto p = no_repeat_ngram_processor(2);
  // Bigrams seen: (1,2), (2,1); the last token is 1 → 2 is banned.
  EXPECT_TENSOR_NEAR(p.apply(row_ids({1, 2, 1}), row({0, 0, 0, 0})), row({0, 0, -kInf, 0}), 0, 0);
  auto p3 = no_repeat_ngram_processor(3);  // (1,2,3) seen; tail (1,2) → ban 3
  EXPECT_TENSOR_NEAR(p3.apply(row_ids({1, 2, 3, 1, 2}), row({0, 0, 0, 0})), row({0, 0, 0, -kInf}), 0, 0);
  EXPECT_TENSOR_NEAR(p3.apply(row_ids({1}), row({0, 0, 0, 0})), row({0, 0, 0, 0}), 0, 0);
}

TEST(LogitsProcessorsTest, MinLengthAndMinNewTokensBanEosUntilReached) {
  auto p = min_length_processor(3, {1, 3});
  EXPECT_TENSOR_NEAR(p.apply(row_ids({0, 0}), row({1, 2, 3, 4})), row({1, -kInf, 3, -kInf}), 0, 0);
  EXPECT_TENSOR_NEAR(p.apply(row_ids({0, 0, 0}), row({1, 2, 3, 4})), row({1, 2, 3, 4}), 0, 0);
  auto q = min_new_tokens_processor(/*prompt_length=*/2, /*min_new_tokens=*/1, {0});
  EXPECT_TENSOR_NEAR(q.apply(row_ids({5, 5}), row({1, 2})), row({-kInf, 2}), 0, 0);
  EXPECT_TENSOR_NEAR(q.apply(row_ids({5, 5, 1}), row({1, 2})), row({1, 2}), 0, 0);
}

TEST(LogitsProcessorsTest, ForcedBosAtLengthOneForcedEosAtMaxLengthMinusOne) {
  auto bos = forced_bos_processor(2);
  EXPECT_TENSOR_NEAR(bos.apply(row_ids({7}), row({1, 2, 3})), row({-kInf, -kInf, 0}), 0, 0);
  EXPECT_TENSOR_NEAR(bos.apply(row_ids({7, 2}), row({1, 2, 3})), row({1, 2, 3}), 0, 0);
  auto eos = forced_eos_processor(/*max_length=*/4, {0, 1});
  EXPECT_TENSOR_NEAR(eos.apply(row_ids({7, 7, 7}), row({1, 2, 3})), row({0, 0, -kInf}), 0, 0);
  EXPECT_TENSOR_NEAR(eos.apply(row_ids({7, 7}), row({1, 2, 3})), row({1, 2, 3}), 0, 0);
}

TEST(LogitsProcessorsTest, TemperatureTopKTopP) {
  EXPECT_TENSOR_NEAR(temperature_warper(2.0).apply(row_ids({0}), row({1, -4})), row({0.5, -2}), 0, 0);
  EXPECT_TENSOR_NEAR(top_k_warper(2).apply(row_ids({0}), row({1, 3, 2, 0})),
                     row({-kInf, 3, 2, -kInf}), 0, 0);
  EXPECT_TENSOR_NEAR(top_k_warper(1, /*min_tokens_to_keep=*/2).apply(row_ids({0}), row({1, 3, 2, 0})),
                     row({-kInf, 3, 2, -kInf}), 0, 0);
  // probs .5 .3 .15 .05: ascending cumulative .05 .2 .5 1 → with top_p .7, those <= .3 go.
  torch::Tensor logits = row({0.5f, 0.3f, 0.15f, 0.05f}).log();
  torch::Tensor expected = logits.clone();
  expected[0][2] = -kInf, expected[0][3] = -kInf;
  EXPECT_TENSOR_NEAR(top_p_warper(0.7).apply(row_ids({0}), logits), expected, 0, 0);
  // min_tokens_to_keep keeps the best ones even when top_p would remove them.
  torch::Tensor kept = top_p_warper(0.0, 3).apply(row_ids({0}), logits);
  EXPECT_EQ(kept.isinf().sum().item<int64_t>(), 1);
}

TEST(LogitsProcessorsTest, BuildsHfsOrder) {
  GenerationConfig c;
  c.repetition_penalty = 1.2, c.no_repeat_ngram_size = 2, c.min_length = 3, c.min_new_tokens = 1;
  c.forced_bos_token_id = 0, c.forced_eos_token_id = {2}, c.eos_token_id = {2};
  std::vector<std::string> names;
  for (const auto& p : build_logits_processors(c, 1)) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "RepetitionPenaltyLogitsProcessor", "NoRepeatNGramLogitsProcessor",
                       "MinLengthLogitsProcessor", "MinNewTokensLengthLogitsProcessor",
                       "ForcedBOSTokenLogitsProcessor", "ForcedEOSTokenLogitsProcessor"}));
  c.temperature = 0.7, c.top_p = 0.9;
  names.clear();
  for (const auto& p : build_logits_warpers(c)) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"TemperatureLogitsWarper", "TopKLogitsWarper",
                                             "TopPLogitsWarper"}));
  EXPECT_TRUE(build_logits_processors(GenerationConfig{}, 1).empty());
}

}  // namespace
}  // namespace adalora::generation
