// The seeded order in which the trainer visits a dataset, epoch by epoch.
//
// `order(epoch)` is a pure function of (size, seed, epoch): a Fisher–Yates shuffle driven by
// xoshiro256** (Blackman & Vigna) seeded through splitmix64 from the seed and the epoch. Because
// nothing carries over between epochs, a run resumed at (epoch e, batch k) recomputes `order(e)`
// and skips k batches, and sees exactly what the uninterrupted run saw. Written out in full —
// not std::shuffle / std::uniform_int_distribution, whose results differ between standard
// libraries — so the order is the same on every platform and compiler. Not PyTorch's
// RandomSampler order (that depends on torch's generator); batching is the caller's.
#pragma once

#include <cstdint>
#include <vector>

namespace adalora::data {

/// xoshiro256** 1.0 seeded by splitmix64; a small, fully specified PRNG.
class Xoshiro256 {
 public:
  /// Seeds the four state words with successive splitmix64 outputs from `seed`.
  explicit Xoshiro256(uint64_t seed);
  /// The next 64 random bits.
  uint64_t next();
  /// Uniform integer in [0, bound), bound > 0, by rejection (no modulo bias).
  uint64_t uniform(uint64_t bound);

 private:
  uint64_t state_[4];
};

/// Per-epoch permutations of [0, size).
class EpochSampler {
 public:
  /// `shuffle == false` gives 0, 1, …, size−1 every epoch (evaluation).
  EpochSampler(int64_t size, uint64_t seed, bool shuffle = true);

  /// The visiting order of `epoch` (0-based): a permutation of [0, size).
  std::vector<int64_t> order(int64_t epoch) const;

  /// Number of examples.
  int64_t size() const { return size_; }

 private:
  int64_t size_;
  uint64_t seed_;
  bool shuffle_;
};

}  // namespace adalora::data
