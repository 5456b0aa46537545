// The trainer reads the device once per step (losses and gradient norm together, before the
// optimizer step) instead of once per micro-batch and again inside clip_grad_norm_. This checks
// that nothing it computes moved: a reference loop with the earlier host reads — loss.item() per
// micro-batch, LibTorch's clip_grad_norm_ — gives bit-identical losses, gradient norms, AdaLoRA
// budgets/ranks and final tensors, through warm-up, budgeting (a mask every step) and final phase,
// with 2 micro-batches per step, dropout and weight decay.
#include <gtest/gtest.h>

#include <optional>

#include "adalora/data/sampler.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/train/lr_schedule.h"
#include "adalora/train/optimizer.h"
#include "adalora/train/trainer.h"
#include "tests/support/golden.h"
#include "tests/unit/train/tiny_task.h"

namespace adalora::train {
namespace {

struct StepRecord {
  double loss = 0, grad_norm = 0;
  std::optional<int64_t> total_rank;
};

TrainerOptions step_options(const std::string& out) {
  TrainerOptions o;
  o.learning_rate = 5e-3;
  o.max_steps = 9;  // 40 examples, B 8, k 2: 5 micro-batches → 2 steps per epoch, 5 epochs
  o.per_device_train_batch_size = 8;
  o.gradient_accumulation_steps = 2;
  o.warmup_steps = 2;
  o.weight_decay = 0.01;
  o.max_grad_norm = 0.5;  // small: clipping is active
  o.logging_steps = 0;
  o.save_steps = 0;
  o.output_dir = out;
  return o;
}

// The step as the trainer took it before the single host read (its code then, written out).
std::vector<StepRecord> reference_loop(models::Model& model, peft::Method& method,
                                       const EncodedDataset& data, const TrainerOptions& o) {
  const int64_t total = Trainer::total_steps(o, data.size());
  const int64_t per_epoch = Trainer::steps_per_epoch(o, data.size());
  const int64_t B = o.per_device_train_batch_size, k = o.gradient_accumulation_steps;
  const int64_t micro_per_epoch = (data.size() + B - 1) / B;
  AdamWConfig adamw;
  adamw.learning_rate = o.learning_rate;
  adamw.weight_decay = o.weight_decay;
  auto optimizer = build_adamw(model, adamw);
  std::vector<torch::Tensor> trainable;
  for (const auto& [name, t] : method.trainable()) trainable.push_back(t);
  const LinearSchedule schedule(o.learning_rate, resolve_warmup_steps(o.warmup_steps, 0, total),
                                total);
  const data::EpochSampler sampler(data.size(), o.seed);
  torch::manual_seed(o.seed);
  model.train();
  std::vector<StepRecord> records;
  for (int64_t step = 0; step < total; ++step) {
    const auto order = sampler.order(step / per_epoch);
    const int64_t first = (step % per_epoch) * k;
    const int64_t last = std::min(first + k, micro_per_epoch);
    StepRecord r;
    for (int64_t m = first; m < last; ++m) {
      const int64_t lo = m * B, hi = std::min(lo + B, data.size());
      const Batch b = collate(data, std::vector<int64_t>(order.begin() + lo, order.begin() + hi));
      const torch::Tensor loss =
          method.add_regularizer(model.forward(b.to_model_inputs()).loss) /
          static_cast<double>(last - first);
      r.loss += loss.item<double>();
      loss.backward();
    }
    r.grad_norm = torch::nn::utils::clip_grad_norm_(trainable, o.max_grad_norm, 2.0, true);
    set_learning_rate(*optimizer, schedule.lr(step));
    optimizer->step();
    r.total_rank = method.after_optimizer_step(step).total_rank;
    optimizer->zero_grad();
    records.push_back(r);
  }
  return records;
}

TEST(TrainerStepTest, OneHostReadPerStepChangesNoNumber) {
  const EncodedDataset data = tiny::needle_dataset(40);
  adalora::testing::TempDir dir;
  const TrainerOptions o = step_options(dir.path());
  const int64_t total = Trainer::total_steps(o, data.size());
  const io::Json method_config = tiny::adalora_config(/*tinit=*/2, /*tfinal=*/2, /*delta_t=*/1);

  auto model = tiny::tiny_bert(/*dropout=*/0.1, /*seed=*/0);
  auto method = peft::make_method("adalora", *model, method_config, total);
  Trainer trainer(*model, *method, data, o);
  std::vector<StepRecord> got;
  trainer.set_step_callback([&](const StepInfo& s) {
    got.push_back({s.loss, s.grad_norm, s.report.total_rank});
    return true;
  });
  trainer.train();

  auto ref_model = tiny::tiny_bert(/*dropout=*/0.1, /*seed=*/0);
  auto ref_method = peft::make_method("adalora", *ref_model, method_config, total);
  const auto expected = reference_loop(*ref_model, *ref_method, data, o);

  ASSERT_EQ(got.size(), expected.size());
  bool clipped = false;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].loss, expected[i].loss) << "step " << i + 1;  // bit-identical
    EXPECT_EQ(got[i].grad_norm, expected[i].grad_norm) << "step " << i + 1;
    EXPECT_EQ(got[i].total_rank.value_or(-1), expected[i].total_rank.value_or(-1)) << "step " << i + 1;
    clipped = clipped || expected[i].grad_norm > o.max_grad_norm;
  }
  EXPECT_TRUE(clipped) << "max_grad_norm should clip at least one step";
  EXPECT_LT(got.back().total_rank.value_or(99), 4 * 4) << "the budget should have pruned";
  const auto a = tiny::snapshot(*method), b = tiny::snapshot(*ref_method);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  }
  EXPECT_EQ(peft::as_adalora(*method)->allocator().rank_pattern(),
            peft::as_adalora(*ref_method)->allocator().rank_pattern());
}

}  // namespace
}  // namespace adalora::train
