// MlmCollator: HF DataCollatorForLanguageModeling proportions on a large sample, specials and
// padding never selected, determinism in the seed, option errors.
#include "adalora/train/mlm_collator.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

constexpr int64_t kPad = 0, kCls = 2, kSep = 3, kMask = 4, kVocab = 1000;

MlmCollatorOptions options(uint64_t seed = 1) {
  MlmCollatorOptions o;
  o.mask_token_id = kMask;
  o.vocab_size = kVocab;
  o.pad_token_id = kPad;
  o.special_token_ids = {1, kCls, kSep, kMask};
  o.seed = seed;
  return o;
}

// [B, T] rows "[CLS] w … w [SEP] [PAD] …" with words in [10, kVocab) and 0–7 pads per row.
torch::Tensor batch(int64_t b, int64_t t) {
  torch::manual_seed(3);
  torch::Tensor ids = torch::randint(10, kVocab, {b, t}, torch::kInt64);
  for (int64_t i = 0; i < b; ++i) {
    const int64_t pads = i % 8;
    ids[i][0] = kCls;
    ids[i][t - 1 - pads] = kSep;
    if (pads > 0) ids[i].slice(0, t - pads, t).fill_(kPad);
  }
  return ids;
}

TEST(MlmCollatorTest, ProportionsMatchHfOnALargeSample) {
  MlmCollator collator(options());
  const torch::Tensor ids = batch(512, 128);  // ≈ 60k eligible tokens
  const MlmBatch b = collator.mask(ids);
  const torch::Tensor eligible = collator.eligible(ids);
  const torch::Tensor selected = b.labels.ne(-100);
  const double n_eligible = eligible.sum().item<double>();
  const double n_selected = selected.sum().item<double>();
  const double masked = (selected & b.input_ids.eq(kMask)).sum().item<double>();
  const double unchanged = (selected & b.input_ids.eq(ids)).sum().item<double>();
  const double random = n_selected - masked - unchanged;
  // Binomial standard deviations: 0.15 of 60k → ±0.0015; 0.8 of 9k → ±0.004; 0.1 → ±0.003.
  EXPECT_NEAR(n_selected / n_eligible, 0.15, 0.006)
      << "selected " << n_selected << " of " << n_eligible;
  EXPECT_NEAR(masked / n_selected, 0.80, 0.015);
  EXPECT_NEAR(random / n_selected, 0.10, 0.012);
  // A random draw may hit the original id (1 in 1000), so "unchanged" is ≈ 10 % + ε.
  EXPECT_NEAR(unchanged / n_selected, 0.10, 0.012);
  // Labels hold the original ids where selected.
  EXPECT_TRUE(torch::equal(b.labels.masked_select(selected), ids.masked_select(selected)));
}

TEST(MlmCollatorTest, SpecialsAndPaddingAreNeverSelectedOrChanged) {
  MlmCollatorOptions o = options();
  o.mlm_probability = 1.0;  // every eligible token selected
  MlmCollator collator(o);
  const torch::Tensor ids = batch(64, 32);
  const MlmBatch b = collator.mask(ids);
  const torch::Tensor special =
      torch::isin(ids, torch::tensor({kPad, int64_t{1}, kCls, kSep, kMask}));
  EXPECT_TRUE(b.labels.masked_select(special).eq(-100).all().item<bool>());
  EXPECT_TRUE(torch::equal(b.input_ids.masked_select(special), ids.masked_select(special)));
  EXPECT_TRUE(b.labels.masked_select(special.logical_not()).ne(-100).all().item<bool>());
  EXPECT_TRUE(torch::equal(b.attention_mask, ids.ne(kPad).to(torch::kInt64)));
}

TEST(MlmCollatorTest, SameSeedSameMasksAndGlobalGeneratorUntouched) {
  const torch::Tensor ids = batch(16, 64);
  MlmCollator a(options(7)), b(options(7)), c(options(8));
  torch::manual_seed(0);
  const torch::Tensor before = torch::rand({4});
  torch::manual_seed(0);
  const MlmBatch x = a.mask(ids);
  EXPECT_TRUE(torch::equal(torch::rand({4}), before))
      << "the collator drew from the global generator";
  const MlmBatch y = b.mask(ids);
  EXPECT_TRUE(torch::equal(x.input_ids, y.input_ids));
  EXPECT_TRUE(torch::equal(x.labels, y.labels));
  EXPECT_FALSE(torch::equal(x.labels, c.mask(ids).labels));
  EXPECT_FALSE(torch::equal(x.labels, a.mask(ids).labels))
      << "the second batch repeated the first's masks";
}

TEST(MlmCollatorTest, BadOptionsNameTheField) {
  MlmCollatorOptions o = options();
  o.mlm_probability = 1.5;
  try {
    MlmCollator c(o);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mlm_probability"), std::string::npos) << e.what();
  }
  o = options();
  o.mask_token_id = kVocab;
  EXPECT_THROW(MlmCollator{o}, Error);
  MlmCollator ok(options());
  EXPECT_THROW(ok.mask(torch::zeros({4}, torch::kInt64)), Error);
}

}  // namespace
}  // namespace adalora::train
