// generate() on a bigram model whose results can be worked out by hand (greedy = argmax chain,
// beam search scores of HF's BeamSearchScorer), seeded sampling, and the refusals.
#include "adalora/generation/generate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_generative_models.h"

namespace adalora::generation {
namespace {

// Next-token probabilities after each token; eos = 3.
//   after 0: .08 .5 .3 .12   after 1: .1 .1 .2 .6   after 2: .05 .1 .7 .15   after 3: uniform
testing::BigramLm bigram() {
  torch::Tensor p = torch::tensor({0.08, 0.5, 0.3, 0.12, 0.1, 0.1, 0.2, 0.6, 0.05, 0.1, 0.7, 0.15,
                                   0.25, 0.25, 0.25, 0.25},
                                  torch::kFloat)
                        .view({4, 4});
  return testing::BigramLm(p.log());
}

GenerationConfig base_config() {
  GenerationConfig c;
  c.eos_token_id = {3};
  c.max_length = 4;
  return c;
}

torch::Tensor ids(std::vector<std::vector<int64_t>> rows) {
  std::vector<torch::Tensor> t;
  for (auto& r : rows) t.push_back(torch::tensor(r, torch::kLong));
  return torch::stack(t);
}

TEST(GenerateTest, GreedyFollowsTheArgmaxChainAndPadsFinishedRows) {
  auto model = bigram();
  GenerationConfig c = base_config();
  c.output_scores = c.output_logits = true;
  GenerateOutput out = generate(model, ids({{0}, {2}}), {}, c);
  // 0 → 1 → 3 (eos; then padded with pad = eos); 2 → 2 → 2 → 2 until max_length.
  EXPECT_TRUE(torch::equal(out.sequences, ids({{0, 1, 3, 3}, {2, 2, 2, 2}})));
  ASSERT_EQ(out.scores.size(), 3u);
  EXPECT_TENSOR_NEAR(out.logits[0][0], torch::tensor({0.08, 0.5, 0.3, 0.12}).log().to(torch::kFloat),
                     1e-6, 0);
  EXPECT_NEAR(out.sequences_scores[0].item<double>(), std::log(0.5) + std::log(0.6), 1e-5);
  EXPECT_NEAR(out.sequences_scores[1].item<double>(), 3 * std::log(0.7), 1e-5);
}

TEST(GenerateTest, MinNewTokensDelaysEos) {
  auto model = bigram();
  GenerationConfig c = base_config();
  c.min_new_tokens = 2;  // no eos at the first two new tokens: 0 → 1 → 2 (not 3) → 2
  EXPECT_TRUE(torch::equal(generate(model, ids({{0}}), {}, c).sequences, ids({{0, 1, 2, 2}})));
}

TEST(GenerateTest, BeamSearchScoresAsHfsBeamSearchScorer) {
  // num_beams 2 from [0]:
  //  step 1: beams [0,1] log .5, [0,2] log .3
  //  step 2: [0,1,3] (eos at rank 0) closes: (log .3) / 2 generated tokens;
  //          beams [0,2,2] log .21, [0,1,2] log .1
  //  step 3: beams [0,2,2,2] log .147, [0,1,2,2] log .07; max_length reached.
  //  finalize: [0,2,2,2] scores log(.147)/3 = -0.639 < -0.602 → [0,1,3] wins, eos appended.
  auto model = bigram();
  GenerationConfig c = base_config();
  c.num_beams = 2;
  c.output_scores = true;
  GenerateOutput out = generate(model, ids({{0}}), {}, c);
  // The hypothesis is stored without its eos ([0,1]); finalize appends eos: [0,1,3].
  EXPECT_TRUE(torch::equal(out.sequences, ids({{0, 1, 3}}))) << out.sequences;
  EXPECT_NEAR(out.sequences_scores[0].item<double>(), std::log(0.3) / 2, 1e-6);
  ASSERT_EQ(out.scores.size(), 3u);
  EXPECT_TENSOR_NEAR(out.scores[0][0], torch::tensor({0.08, 0.5, 0.3, 0.12}).log().to(torch::kFloat),
                     1e-6, 0);

  // length_penalty 2 favours the long open beams: [0,2,2,2] log(.147)/9 = -0.213,
  // [0,1,2,2] log(.07)/9 = -0.295, [0,1,3] log(.3)/4 = -0.301 (dropped).
  c.length_penalty = 2.0;
  c.num_return_sequences = 2;
  out = generate(model, ids({{0}}), {}, c);
  EXPECT_TRUE(torch::equal(out.sequences, ids({{0, 2, 2, 2}, {0, 1, 2, 2}}))) << out.sequences << out.sequences_scores;
  EXPECT_NEAR(out.sequences_scores[0].item<double>(), std::log(0.147) / 9, 1e-6);
  EXPECT_NEAR(out.sequences_scores[1].item<double>(), std::log(0.07) / 9, 1e-6);
}

TEST(GenerateTest, BeamSearchPadsShorterHypotheses) {
  auto model = bigram();
  GenerationConfig c = base_config();
  c.num_beams = 2, c.num_return_sequences = 2;
  c.pad_token_id = 0;
  GenerateOutput out = generate(model, ids({{0}}), {}, c);
  // [0,1]+eos (-0.602) then [0,2,2,2] (-0.639); the shorter gets its eos, then pad.
  EXPECT_TRUE(torch::equal(out.sequences, ids({{0, 1, 3, 0}, {0, 2, 2, 2}}))) << out.sequences << out.sequences_scores;
}

TEST(GenerateTest, SeededSamplingIsReproducible) {
  torch::manual_seed(0);
  testing::TinyCausalLm model;
  GenerationConfig c;
  c.do_sample = true, c.temperature = 3.0, c.max_new_tokens = 12, c.num_return_sequences = 2;
  c.seed = 11;
  torch::Tensor prompt = ids({{1, 2, 3}, {4, 5, 6}});
  GenerateOutput a = generate(model, prompt, {}, c);
  GenerateOutput b = generate(model, prompt, {}, c);
  EXPECT_EQ(a.sequences.sizes(), (std::vector<int64_t>{4, 15}));
  EXPECT_TRUE(torch::equal(a.sequences, b.sequences));
  c.seed = 12;
  EXPECT_FALSE(torch::equal(a.sequences, generate(model, prompt, {}, c).sequences));
  // top_k = 1 leaves one token: sampling equals greedy.
  c.top_k = 1, c.num_return_sequences = 1;
  GenerationConfig greedy;
  greedy.max_new_tokens = 12;
  EXPECT_TRUE(torch::equal(generate(model, prompt, {}, c).sequences,
                           generate(model, prompt, {}, greedy).sequences));
}

std::string error_of(models::Model& model, const torch::Tensor& prompt, const GenerationConfig& c) {
  try {
    generate(model, prompt, {}, c);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(GenerateTest, RefusesLongPromptsShortMaxLengthAndGreedyReturnSequences) {
  torch::manual_seed(0);
  testing::TinyCausalLm model(/*vocab=*/17, /*hidden=*/8, /*positions=*/8);
  GenerationConfig c;
  c.max_new_tokens = 2;
  EXPECT_NE(error_of(model, torch::ones({1, 9}, torch::kLong), c)
                .find("max_position_embeddings: expected a prompt of at most 8 tokens, got 9"),
            std::string::npos);
  GenerationConfig short_max;
  short_max.max_length = 3;
  EXPECT_NE(error_of(model, torch::ones({1, 3}, torch::kLong), short_max).find("max_length"),
            std::string::npos);
  c.num_return_sequences = 2;
  EXPECT_NE(error_of(model, torch::ones({1, 3}, torch::kLong), c).find("num_return_sequences"),
            std::string::npos);
}

}  // namespace
}  // namespace adalora::generation
