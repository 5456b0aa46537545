// Seeded per-epoch shuffling (see sampler.h). splitmix64 and xoshiro256** follow the reference
// C code at prng.di.unimi.it (public domain), constants verbatim.
#include "adalora/data/sampler.h"

#include <numeric>
#include <utility>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Xoshiro256::Xoshiro256(uint64_t seed) {
  for (auto& word : state_) word = splitmix64(seed);
}

uint64_t Xoshiro256::next() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

uint64_t Xoshiro256::uniform(uint64_t bound) {
  // Reject the lowest 2^64 mod bound values so that every residue is equally likely.
  const uint64_t threshold = (0 - bound) % bound;
  while (true) {
    const uint64_t r = next();
    if (r >= threshold) return r % bound;
  }
}

EpochSampler::EpochSampler(int64_t size, uint64_t seed, bool shuffle)
    : size_(size), seed_(seed), shuffle_(shuffle) {
  ADALORA_CHECK(size >= 0, "data: EpochSampler: size: expected >= 0, got ", size);
}

std::vector<int64_t> EpochSampler::order(int64_t epoch) const {
  ADALORA_CHECK(epoch >= 0, "data: EpochSampler: epoch: expected >= 0, got ", epoch);
  std::vector<int64_t> indices(static_cast<size_t>(size_));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  if (!shuffle_) return indices;
  // One stream per (seed, epoch): mix the seed, then the epoch, through splitmix64. The first
  // mix is a bijection, so distinct epochs of one seed never share a stream.
  uint64_t seed_state = seed_;
  uint64_t epoch_state = splitmix64(seed_state) ^ static_cast<uint64_t>(epoch);
  Xoshiro256 rng(splitmix64(epoch_state));
  for (size_t i = indices.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(rng.uniform(i));
    std::swap(indices[i - 1], indices[j]);
  }
  return indices;
}

}  // namespace adalora::data
