// Label smoothing against HF's formula computed by hand, and the exact split loss: a sum over
// tokens / a count of tokens, the same for every batch size and equal to one-example forwards.
#include "adalora/train/token_loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "adalora/core/error.h"
#include "tests/support/tiny_models.h"

namespace adalora::train {
namespace {

// HF LabelSmoother by loops in double: (1-ε)·mean nll + ε·mean over (tokens × V) of -log p.
double hand_label_smoothing(const torch::Tensor& logits, const torch::Tensor& labels, double eps,
                            bool shift) {
  const auto lg = logits.to(torch::kFloat64);
  const int64_t b = lg.size(0), t = lg.size(1), v = lg.size(2);
  double nll = 0, smooth = 0;
  int64_t active = 0;
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j + (shift ? 1 : 0) < t; ++j) {
      const int64_t label = labels[i][j + (shift ? 1 : 0)].item<int64_t>();
      if (label == -100) continue;
      double z = 0;
      for (int64_t k = 0; k < v; ++k) z += std::exp(lg[i][j][k].item<double>());
      const double log_z = std::log(z);
      nll += log_z - lg[i][j][label].item<double>();
      for (int64_t k = 0; k < v; ++k) smooth += log_z - lg[i][j][k].item<double>();
      ++active;
    }
  }
  return (1 - eps) * nll / active + eps * smooth / (static_cast<double>(active) * v);
}

TEST(LabelSmoothedLossTest, MatchesHfFormulaByHandWithAndWithoutShift) {
  torch::manual_seed(3);
  const torch::Tensor logits = torch::randn({2, 4, 7}) * 3;  // [B, T, V]
  const torch::Tensor labels = torch::tensor({{3, -100, 6, 0}, {-100, 2, 2, -100}}, torch::kLong);
  for (const bool shift : {false, true}) {
    for (const double eps : {0.0, 0.1, 0.5}) {
      SCOPED_TRACE(::testing::Message() << "shift " << shift << " eps " << eps);
      const double ours = label_smoothed_loss(logits, labels, eps, shift).item<double>();
      EXPECT_NEAR(ours, hand_label_smoothing(logits, labels, eps, shift), 1e-5);
    }
  }
  // ε = 0 is the plain token cross-entropy.
  const double ce = torch::nn::functional::cross_entropy(
                        logits.reshape({-1, 7}), labels.reshape({-1}),
                        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100))
                        .item<double>();
  EXPECT_NEAR(label_smoothed_loss(logits, labels, 0.0, false).item<double>(), ce, 1e-6);
}

TEST(LabelSmoothedLossTest, RefusesBadFactorShapesAndAllIgnoredLabels) {
  const torch::Tensor logits = torch::zeros({1, 2, 3});
  EXPECT_THROW(label_smoothed_loss(logits, torch::zeros({1, 2}, torch::kLong), 1.0, false), Error);
  EXPECT_THROW(label_smoothed_loss(logits, torch::zeros({1, 3}, torch::kLong), 0.1, false), Error);
  EXPECT_THROW(label_smoothed_loss(logits, torch::full({1, 2}, -100, torch::kLong), 0.1, false),
               Error);
}

// Causal-LM examples of different lengths with some labels masked (a prompt).
EncodedDataset lm_examples() {
  EncodedDataset d;
  d.pad_id = 0;
  for (int64_t i = 0; i < 7; ++i) {
    std::vector<int64_t> ids, labels;
    for (int64_t t = 0; t < 3 + (i * 5) % 9; ++t) {
      ids.push_back(1 + (i * 7 + t * 3) % 60);
      labels.push_back(t < i % 3 ? -100 : ids.back());
    }
    d.input_ids.push_back(ids);
    d.label_ids.push_back(labels);
  }
  return d;
}

TEST(SplitTokenLossTest, IsTheTokenMeanOverTheSplitForEveryBatchSize) {
  const auto model = testing::tiny_decoder("gpt2");
  const EncodedDataset data = lm_examples();
  // By hand: one example at a time, -log p of each label token after the shift, in double.
  double sum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < data.size(); ++i) {
    models::ModelInputs in;
    in.input_ids = torch::tensor(data.input_ids[i], torch::kLong).view({1, -1});
    const torch::Tensor logp = torch::log_softmax(model->forward(in).logits[0].to(torch::kFloat64), -1);
    for (size_t t = 1; t < data.label_ids[i].size(); ++t) {
      const int64_t label = data.label_ids[i][t];
      if (label == -100) continue;
      sum -= logp[static_cast<int64_t>(t) - 1][label].item<double>();
      ++count;
    }
  }
  for (const int64_t batch : {1, 2, 3, 7}) {
    SCOPED_TRACE(batch);
    const TokenLoss loss = split_token_loss(*model, data, batch);
    EXPECT_EQ(loss.count, count);
    EXPECT_NEAR(loss.mean(), sum / count, 1e-6);
  }
  // A mean of batch means (HF's eval_loss) would differ: the batches have unequal token counts.
  EncodedDataset one;
  one.input_ids = {data.input_ids[0]};
  one.label_ids = {data.label_ids[0]};
  const TokenLoss first = split_token_loss(*model, one, 1);
  EXPECT_GT(std::abs(first.mean() - sum / count), 1e-3);
}

}  // namespace
}  // namespace adalora::train
