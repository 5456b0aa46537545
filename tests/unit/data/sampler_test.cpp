// Seeded per-epoch order: a permutation, reproducible, different per epoch and seed, pinned.
#include "adalora/data/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

TEST(SamplerTest, XoshiroMatchesReferenceOutputs) {
  // splitmix64 from 0 gives the well-known e220a8397b1dcdaf 6e789e6aa1b965f4 06c45d188009454f
  // f88bb8a8724c81ec; xoshiro256** from that state (reference C code, prng.di.unimi.it,
  // transcribed independently in Python) then yields these two outputs.
  Xoshiro256 rng(0);
  EXPECT_EQ(rng.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(rng.next(), 0xbf6e1f784956452aULL);
}

TEST(SamplerTest, OrderIsAPermutation) {
  const EpochSampler sampler(1000, /*seed=*/42);
  for (int64_t epoch : {0, 1, 7}) {
    std::vector<int64_t> order = sampler.order(epoch);
    std::sort(order.begin(), order.end());
    std::vector<int64_t> expected(1000);
    std::iota(expected.begin(), expected.end(), int64_t{0});
    EXPECT_EQ(order, expected) << "epoch " << epoch;
  }
}

TEST(SamplerTest, SameSeedAndEpochSameOrderAcrossInstances) {
  EXPECT_EQ(EpochSampler(100, 7).order(3), EpochSampler(100, 7).order(3));
  EXPECT_NE(EpochSampler(100, 7).order(3), EpochSampler(100, 7).order(4));
  EXPECT_NE(EpochSampler(100, 7).order(3), EpochSampler(100, 8).order(3));
}

TEST(SamplerTest, PinnedOrderGuardsCrossPlatformDeterminism) {
  // Computed by an independent Python transcription of sampler.cpp; a change to the PRNG, the
  // seeding or the shuffle (which would silently change every training run) must update these.
  EXPECT_EQ(EpochSampler(10, 42).order(0), (std::vector<int64_t>{9, 3, 4, 2, 6, 0, 8, 1, 5, 7}));
  EXPECT_EQ(EpochSampler(10, 42).order(1), (std::vector<int64_t>{4, 0, 9, 2, 7, 8, 1, 3, 6, 5}));
}

TEST(SamplerTest, NoShuffleIsIdentityAndEdgeSizes) {
  EXPECT_EQ(EpochSampler(4, 1, /*shuffle=*/false).order(5), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(EpochSampler(0, 1).order(0).empty());
  EXPECT_EQ(EpochSampler(1, 1).order(9), (std::vector<int64_t>{0}));
  EXPECT_THROW(EpochSampler(4, 1).order(-1), Error);
  EXPECT_THROW(EpochSampler(-1, 1), Error);
}

TEST(SamplerTest, UniformStaysInRange) {
  Xoshiro256 rng(123);
  for (uint64_t bound : {1ULL, 2ULL, 3ULL, 1000ULL, (1ULL << 63) + 1}) {
    for (int i = 0; i < 100; ++i) EXPECT_LT(rng.uniform(bound), bound);
  }
}

}  // namespace
}  // namespace adalora::data
