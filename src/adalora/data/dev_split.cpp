#include "adalora/data/dev_split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "adalora/core/error.h"
#include "adalora/data/sampler.h"

namespace adalora::data {
namespace {

// Fisher–Yates on `rows` with `rng`: platform-independent (no std::shuffle).
void shuffle(std::vector<size_t>& rows, Xoshiro256& rng) {
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.uniform(i)]);
}

size_t carved_count(size_t n, double fraction) {
  auto k = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  if (k == 0 && n >= 2) k = 1;  // a class with two rows still appears in dev
  return std::min(k, n);
}

}  // namespace

TrainDevSplit split_train_dev(const Dataset& data, double fraction, uint64_t seed) {
  ADALORA_CHECK(fraction > 0 && fraction < 1, data.path, ": dev_fraction: expected a number in (0, 1), got ",
                fraction);
  ADALORA_CHECK(data.has_labels, data.path, ": dev_fraction: expected a labelled training file to carve a dev "
                                            "split from, got unlabelled rows");
  // Rows by stratum (one stratum for regression), in file order.
  std::map<int64_t, std::vector<size_t>> strata;
  for (size_t i = 0; i < data.examples.size(); ++i) {
    strata[data.is_regression ? 0 : data.examples[i].label].push_back(i);
  }
  Xoshiro256 rng(seed);
  std::vector<bool> to_dev(data.examples.size(), false);
  for (auto& [label, rows] : strata) {  // std::map: strata in label order, so the draw is stable
    shuffle(rows, rng);
    const size_t k = carved_count(rows.size(), fraction);
    for (size_t j = 0; j < k; ++j) to_dev[rows[j]] = true;
  }
  TrainDevSplit split;
  for (Dataset* part : {&split.train, &split.dev}) {
    part->label_names = data.label_names;
    part->is_regression = data.is_regression;
    part->has_labels = true;
  }
  split.train.path = data.path;
  split.dev.path = data.path + " (dev split)";
  for (size_t i = 0; i < data.examples.size(); ++i) {
    (to_dev[i] ? split.dev : split.train).examples.push_back(data.examples[i]);
  }
  ADALORA_CHECK(!split.train.examples.empty() && !split.dev.examples.empty(), data.path,
                ": dev_fraction: ", fraction, " of ", data.examples.size(),
                " rows leaves an empty train or dev part; expected rows in both");
  return split;
}

}  // namespace adalora::data
