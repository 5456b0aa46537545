// The dev split carved from a training file: stratified by label, seeded, disjoint, file order kept.
#include "adalora/data/dev_split.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

// 100 rows of label 0, 30 of label 1, 10 of label 2, interleaved; `line` numbers them.
Dataset three_classes() {
  Dataset d;
  d.path = "train.jsonl";
  d.label_names = {"a", "b", "c"};
  d.has_labels = true;
  int64_t counts[3] = {100, 30, 10};
  for (int64_t i = 0; counts[0] + counts[1] + counts[2] > 0; ++i) {
    const int64_t label = i % 7 == 0 && counts[2] > 0 ? 2 : i % 3 == 0 && counts[1] > 0 ? 1 : counts[0] > 0 ? 0 :
                          counts[1] > 0 ? 1 : 2;
    --counts[label];
    Example e;
    e.text = "row " + std::to_string(i);
    e.label = label;
    e.has_label = true;
    e.line = i + 1;
    d.examples.push_back(e);
  }
  return d;
}

std::map<int64_t, int64_t> label_counts(const Dataset& d) {
  std::map<int64_t, int64_t> c;
  for (const auto& e : d.examples) ++c[e.label];
  return c;
}

std::vector<int64_t> lines(const Dataset& d) {
  std::vector<int64_t> out;
  for (const auto& e : d.examples) out.push_back(e.line);
  return out;
}

TEST(DevSplitTest, EachClassGivesItsShareSoProportionsAreKept) {
  const TrainDevSplit s = split_train_dev(three_classes(), 0.2, 42);
  // round(0.2 × 100) = 20, round(0.2 × 30) = 6, round(0.2 × 10) = 2.
  EXPECT_EQ(label_counts(s.dev), (std::map<int64_t, int64_t>{{0, 20}, {1, 6}, {2, 2}}));
  EXPECT_EQ(label_counts(s.train), (std::map<int64_t, int64_t>{{0, 80}, {1, 24}, {2, 8}}));
  EXPECT_EQ(s.dev.label_names, s.train.label_names);
  EXPECT_TRUE(s.dev.has_labels);
  EXPECT_EQ(s.dev.path, "train.jsonl (dev split)");
}

TEST(DevSplitTest, PartsAreDisjointCoverTheFileAndKeepFileOrder) {
  const TrainDevSplit s = split_train_dev(three_classes(), 0.25, 7);
  const auto train = lines(s.train), dev = lines(s.dev);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_TRUE(std::is_sorted(dev.begin(), dev.end()));
  std::set<int64_t> all(train.begin(), train.end());
  for (int64_t l : dev) EXPECT_TRUE(all.insert(l).second) << "line " << l << " is in both parts";
  EXPECT_EQ(all.size(), 140u);
}

TEST(DevSplitTest, SameSeedSameRowsOtherSeedOtherRows) {
  const auto a = lines(split_train_dev(three_classes(), 0.2, 42).dev);
  EXPECT_EQ(a, lines(split_train_dev(three_classes(), 0.2, 42).dev));
  EXPECT_NE(a, lines(split_train_dev(three_classes(), 0.2, 43).dev));
  // Pinned: the draw is xoshiro256** Fisher–Yates, the same on every platform and compiler.
  EXPECT_EQ(std::vector<int64_t>(a.begin(), a.begin() + 5), (std::vector<int64_t>{2, 3, 20, 22, 34}));
}

TEST(DevSplitTest, RegressionIsOneStratum) {
  Dataset d;
  d.path = "r.jsonl";
  d.is_regression = true;
  d.has_labels = true;
  for (int i = 0; i < 10; ++i) d.examples.push_back(Example{"t", std::nullopt, -1, 0.1 * i, true, i + 1});
  const TrainDevSplit s = split_train_dev(d, 0.3, 1);
  EXPECT_EQ(s.dev.examples.size(), 3u);
  EXPECT_EQ(s.train.examples.size(), 7u);
  EXPECT_TRUE(s.dev.is_regression);
}

TEST(DevSplitTest, BadFractionOrUnlabelledOrEmptyPartIsAnErrorNamingTheFile) {
  auto message = [](const Dataset& d, double f) {
    try {
      split_train_dev(d, f, 1);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(three_classes(), 1.0).find("train.jsonl: dev_fraction: expected a number in (0, 1)"),
            std::string::npos);
  EXPECT_NE(message(three_classes(), 0.0).find("dev_fraction"), std::string::npos);
  Dataset unlabelled = three_classes();
  unlabelled.has_labels = false;
  EXPECT_NE(message(unlabelled, 0.1).find("unlabelled"), std::string::npos);
  Dataset one;
  one.path = "one.jsonl";
  one.has_labels = true;
  one.label_names = {"a"};
  one.examples.push_back(Example{"t", std::nullopt, 0, 0, true, 1});
  EXPECT_NE(message(one, 0.5).find("one.jsonl: dev_fraction: 0.5 of 1 rows leaves an empty train or dev part"),
            std::string::npos);
}

}  // namespace
}  // namespace adalora::data
