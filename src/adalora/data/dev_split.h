// A dev split carved from a training file, for model selection when the only other labelled file
// is the test set (the paper picks learning rates and checkpoints on dev, reports test).
//
// Classification: stratified — each class gives round(fraction · n_class) of its rows (at least one
// when the class has two or more rows and fraction > 0), so the dev set keeps the training file's
// label proportions. Regression: round(fraction · n) rows. Which rows is a seeded Fisher–Yates
// shuffle (data/sampler.h's xoshiro256**, the same on every platform); both parts keep file order.
// Not here: k-fold, grouping of near-duplicate rows.
#pragma once

#include <cstdint>

#include "adalora/data/example.h"

namespace adalora::data {

struct TrainDevSplit {
  Dataset train;  ///< the rows kept for training
  Dataset dev;    ///< the carved rows (same label_names, path "<file> (dev split)")
};

/// Splits `data` (labelled) into train and dev. `fraction` in (0, 1); throws Error naming
/// `data.path` when it is outside, when the data is unlabelled, or when no row would be left to
/// train on or to evaluate.
TrainDevSplit split_train_dev(const Dataset& data, double fraction, uint64_t seed);

}  // namespace adalora::data
