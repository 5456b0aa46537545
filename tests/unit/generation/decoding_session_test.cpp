// The cached path against the reference path (a full forward per step) on tiny attention models:
// identical sequences, logits equal to float noise; left padding; the encoder runs once.
#include "adalora/generation/decoding_session.h"

#include <gtest/gtest.h>

#include "adalora/generation/generate.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/tiny_generative_models.h"

namespace adalora::generation {
namespace {

torch::Tensor id_rows(std::vector<std::vector<int64_t>> rows) {
  std::vector<torch::Tensor> t;
  for (auto& r : rows) t.push_back(torch::tensor(r, torch::kLong));
  return torch::stack(t);
}

void expect_cache_matches_reference(models::Model& model, const torch::Tensor& prompt,
                                    const torch::Tensor& mask, GenerationConfig c) {
  c.output_logits = c.output_scores = true;
  c.use_cache = false;
  GenerateOutput reference = generate(model, prompt, mask, c);
  c.use_cache = true;
  GenerateOutput cached = generate(model, prompt, mask, c);
  ASSERT_TRUE(torch::equal(cached.sequences, reference.sequences))
      << "cached\n" << cached.sequences << "\nreference\n" << reference.sequences;
  ASSERT_EQ(cached.logits.size(), reference.logits.size());
  for (size_t t = 0; t < cached.logits.size(); ++t) {
    EXPECT_TENSOR_NEAR(cached.logits[t], reference.logits[t], 1e-5, 1e-5) << "step " << t;
  }
  EXPECT_TENSOR_NEAR(cached.sequences_scores, reference.sequences_scores, 1e-5, 1e-5);
}

const torch::Tensor& left_padded_prompt() {
  static const torch::Tensor p = id_rows({{0, 0, 3, 4, 5}, {6, 7, 8, 9, 10}});
  return p;
}
const torch::Tensor& left_padded_mask() {
  static const torch::Tensor m = id_rows({{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}});
  return m;
}

TEST(DecodingSessionTest, CausalCacheMatchesFullForwardGreedyAndBeam) {
  torch::manual_seed(0);
  testing::TinyCausalLm model;
  GenerationConfig c;
  c.max_new_tokens = 7;
  expect_cache_matches_reference(model, left_padded_prompt(), left_padded_mask(), c);
  c.num_beams = 3, c.num_return_sequences = 2, c.eos_token_id = {1}, c.pad_token_id = 0;
  expect_cache_matches_reference(model, left_padded_prompt(), left_padded_mask(), c);
  c.early_stopping = EarlyStopping::Never, c.repetition_penalty = 1.3, c.no_repeat_ngram_size = 2;
  expect_cache_matches_reference(model, left_padded_prompt(), left_padded_mask(), c);
}

TEST(DecodingSessionTest, LeftPaddedRowGeneratesAsTheUnpaddedPrompt) {
  torch::manual_seed(0);
  testing::TinyCausalLm model;
  GenerationConfig c;
  c.max_new_tokens = 6;
  torch::Tensor batch = generate(model, left_padded_prompt(), left_padded_mask(), c).sequences;
  torch::Tensor alone = generate(model, id_rows({{3, 4, 5}}), {}, c).sequences;
  EXPECT_TRUE(torch::equal(batch[0].narrow(0, 5, 6), alone[0].narrow(0, 3, 6)))
      << batch << "\n" << alone;
}

TEST(DecodingSessionTest, Seq2SeqCacheMatchesFullForwardAndEncodesOnce) {
  torch::manual_seed(1);
  testing::TinySeq2Seq model;
  GenerationConfig c;
  c.decoder_start_token_id = 2, c.max_length = 9;
  torch::Tensor source = id_rows({{5, 6, 7, 1, 1}, {8, 9, 10, 11, 12}});
  torch::Tensor mask = id_rows({{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}});
  expect_cache_matches_reference(model, source, mask, c);
  c.num_beams = 4, c.eos_token_id = {3}, c.pad_token_id = 1, c.forced_eos_token_id = {3};
  expect_cache_matches_reference(model, source, mask, c);

  model.encoder_calls = model.forward_calls = 0;
  c.use_cache = true;
  generate(model, source, mask, c);
  EXPECT_EQ(model.encoder_calls, 1);
  EXPECT_GT(model.forward_calls, 1);
}

}  // namespace
}  // namespace adalora::generation
