// Dynamic padding of token ids (train/collate.h).
#include "adalora/train/collate.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

EncodedDataset three_examples() {
  EncodedDataset d;
  d.input_ids = {{1, 7, 2}, {1, 8, 9, 10, 2}, {1, 2}};
  d.token_type_ids = {{0, 0, 0}, {0, 0, 1, 1, 1}, {0, 0}};
  d.labels = {0, 1, 1};
  d.pad_id = 3;
  return d;
}

TEST(CollateTest, PadsToTheLongestInTheBatchOnTheRight) {
  const EncodedDataset d = three_examples();
  const Batch b = collate(d, {2, 0});
  ASSERT_EQ(b.input_ids.sizes(), torch::IntArrayRef({2, 3}));
  EXPECT_TRUE(torch::equal(b.input_ids, torch::tensor({1, 2, 3, 1, 7, 2}).view({2, 3})));
  EXPECT_TRUE(torch::equal(b.attention_mask, torch::tensor({1, 1, 0, 1, 1, 1}).view({2, 3})));
  EXPECT_TRUE(torch::equal(b.token_type_ids, torch::zeros({2, 3}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({1, 0})));
  EXPECT_EQ(b.input_ids.scalar_type(), torch::kInt64);
  EXPECT_EQ(b.labels.scalar_type(), torch::kInt64);

  const Batch all = collate(d, {0, 1, 2});
  EXPECT_EQ(all.input_ids.size(1), 5);
  EXPECT_TRUE(torch::equal(all.token_type_ids[1], torch::tensor({0, 0, 1, 1, 1})));
  EXPECT_EQ(all.attention_mask.sum().item<int64_t>(), 10);
}

TEST(CollateTest, RegressionTargetsAreFloatAndTypeIdsOptional) {
  EncodedDataset d;
  d.input_ids = {{4, 5}, {6}};
  d.targets = {0.5, 4.25};
  const Batch b = collate(d, {0, 1});
  EXPECT_FALSE(b.token_type_ids.defined());
  EXPECT_EQ(b.labels.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({0.5f, 4.25f})));
  const models::ModelInputs in = b.to_model_inputs();
  EXPECT_TRUE(in.input_ids.is_same(b.input_ids));
  EXPECT_FALSE(in.token_type_ids.defined());
}

TEST(CollateTest, ErrorsNameTheProblem) {
  EncodedDataset d = three_examples();
  try {
    collate(d, {0, 3});
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "collate: index: expected in [0, 3), got 3");
  }
  EXPECT_THROW(collate(d, {}), Error);
  d.token_type_ids[1].pop_back();
  try {
    d.validate();
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "dataset: example 1: token_type_ids: expected 5 ids (as input_ids), got 4");
  }
  EncodedDataset both = three_examples();
  both.targets = {1, 2, 3};
  EXPECT_THROW(both.validate(), Error);
  EncodedDataset span = three_examples();
  span.labels.clear();
  span.start_positions = {0, 1, 2};
  span.end_positions = {0, 9, 2};  // example 1 has 5 tokens
  try {
    span.validate();
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "dataset: example 1: start/end_positions: expected both in [0, 5), got 1..9");
  }
  span.start_positions = {0, 1, 1};  // example 2 has 2 tokens
  span.end_positions = {0, 0, 1};    // start after end: run_qa.py's label of a window-edge answer
  EXPECT_NO_THROW(span.validate());
}

TEST(CollateTest, LabelSequencesPadWithMinus100AndSpansBecomePositions) {
  EncodedDataset d = three_examples();
  d.labels.clear();
  d.label_ids = {{7}, {8, 9, 10}, {11, 12}};
  d.validate();
  const Batch b = collate(d, {0, 2});
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({7L, -100L, 11L, 12L}).view({2, 2})));
  EXPECT_FALSE(b.start_positions.defined());

  EncodedDataset q = three_examples();
  q.labels.clear();
  q.start_positions = {0, 1, 1};
  q.end_positions = {0, 3, 1};
  q.validate();
  const Batch s = collate(q, {1, 0});
  EXPECT_FALSE(s.labels.defined());
  EXPECT_TRUE(torch::equal(s.start_positions, torch::tensor({1L, 0L})));
  EXPECT_TRUE(torch::equal(s.end_positions, torch::tensor({3L, 0L})));
  const models::ModelInputs in = s.to_model_inputs();
  EXPECT_TRUE(in.end_positions.is_same(s.end_positions));
}

}  // namespace
}  // namespace adalora::train
