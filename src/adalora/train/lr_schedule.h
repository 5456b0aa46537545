// Learning-rate schedule of the paper's GLUE runs: linear warm-up, then linear decay to 0.
//
// Exactly HF transformers' `get_linear_schedule_with_warmup` (optimization.py, v4.x): the factor
// at step t (the number of optimizer steps already taken, i.e. LambdaLR's `last_epoch`) is
// t / max(1, w) while t < w, then max(0, (T − t) / max(1, T − w)); and HF TrainingArguments'
// `get_warmup_steps`: warmup_steps if > 0, else ceil(warmup_ratio · T). No optimizer state here —
// the trainer calls `set_learning_rate(optimizer, schedule.lr(step))` before each step.
#pragma once

#include <cstdint>

namespace adalora::train {

/// HF `get_warmup_steps`: `warmup_steps` when > 0, else ceil(`warmup_ratio` · `total_steps`).
/// Throws adalora::Error for negative values or a ratio outside [0, 1].
int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps);

/// HF `lr_lambda(step)` of `get_linear_schedule_with_warmup`: the multiplier of the peak rate.
double linear_warmup_decay_factor(int64_t step, int64_t warmup_steps, int64_t total_steps);

/// Linear warm-up then linear decay from `peak_lr` to 0 at `total_steps`.
class LinearSchedule {
 public:
  /// `warmup_steps` ≥ 0 (already resolved), `total_steps` > 0.
  LinearSchedule(double peak_lr, int64_t warmup_steps, int64_t total_steps);

  /// The learning rate for the optimizer step taken after `step` completed steps (0-based).
  double lr(int64_t step) const;

  int64_t warmup_steps() const { return warmup_steps_; }
  int64_t total_steps() const { return total_steps_; }

 private:
  double peak_lr_;
  int64_t warmup_steps_;
  int64_t total_steps_;
};

}  // namespace adalora::train
