// Linear warm-up / linear decay schedule (see lr_schedule.h).
#include "adalora/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "adalora/core/error.h"

namespace adalora::train {

int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps) {
  ADALORA_CHECK(warmup_steps >= 0, "lr schedule: warmup_steps: expected >= 0, got ", warmup_steps);
  ADALORA_CHECK(warmup_ratio >= 0.0 && warmup_ratio <= 1.0,
                "lr schedule: warmup_ratio: expected a value in [0, 1], got ", warmup_ratio);
  ADALORA_CHECK(total_steps > 0, "lr schedule: total_steps: expected > 0, got ", total_steps);
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(static_cast<double>(total_steps) * warmup_ratio));
}

double linear_warmup_decay_factor(int64_t step, int64_t warmup_steps, int64_t total_steps) {
  if (step < warmup_steps) {
    return static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  }
  return std::max(0.0, static_cast<double>(total_steps - step) /
                           static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps)));
}

LinearSchedule::LinearSchedule(double peak_lr, int64_t warmup_steps, int64_t total_steps)
    : peak_lr_(peak_lr), warmup_steps_(warmup_steps), total_steps_(total_steps) {
  ADALORA_CHECK(peak_lr > 0.0 && std::isfinite(peak_lr),
                "lr schedule: learning_rate: expected a positive number, got ", peak_lr);
  ADALORA_CHECK(warmup_steps >= 0, "lr schedule: warmup_steps: expected >= 0, got ", warmup_steps);
  ADALORA_CHECK(total_steps > 0, "lr schedule: total_steps: expected > 0, got ", total_steps);
}

double LinearSchedule::lr(int64_t step) const {
  ADALORA_CHECK(step >= 0, "lr schedule: step: expected >= 0, got ", step);
  return peak_lr_ * linear_warmup_decay_factor(step, warmup_steps_, total_steps_);
}

}  // namespace adalora::train
