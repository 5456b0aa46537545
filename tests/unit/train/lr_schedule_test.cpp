// Linear warm-up / decay schedule at its boundaries (HF get_linear_schedule_with_warmup).
#include "adalora/train/lr_schedule.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

TEST(LrScheduleTest, WarmupThenLinearDecayToZero) {
  // peak 1e-3, w = 10, T = 110.
  const LinearSchedule s(1e-3, 10, 110);
  EXPECT_EQ(s.lr(0), 0.0);                   // 0/10: HF's first step has lr 0
  EXPECT_DOUBLE_EQ(s.lr(1), 1e-3 * 0.1);     // 1/10
  EXPECT_DOUBLE_EQ(s.lr(9), 1e-3 * 0.9);     // 9/10
  EXPECT_DOUBLE_EQ(s.lr(10), 1e-3);          // (110−10)/(110−10) = 1: the peak
  EXPECT_DOUBLE_EQ(s.lr(60), 1e-3 * 0.5);    // (110−60)/100
  EXPECT_DOUBLE_EQ(s.lr(109), 1e-3 * 0.01);  // (110−109)/100
  EXPECT_EQ(s.lr(110), 0.0);                 // T: 0
  EXPECT_EQ(s.lr(150), 0.0);                 // past T: clamped at 0, never negative
}

TEST(LrScheduleTest, NoWarmupStartsAtPeak) {
  // w = 0: factor (T − t)/max(1, T) from step 0.
  EXPECT_DOUBLE_EQ(linear_warmup_decay_factor(0, 0, 4), 1.0);
  EXPECT_DOUBLE_EQ(linear_warmup_decay_factor(1, 0, 4), 0.75);
  EXPECT_DOUBLE_EQ(linear_warmup_decay_factor(4, 0, 4), 0.0);
}

TEST(LrScheduleTest, WarmupLongerThanTrainingFollowsHf) {
  // w ≥ T: warm-up never finishes; HF still returns t/w (and max(1, T−w) guards the division).
  EXPECT_DOUBLE_EQ(linear_warmup_decay_factor(5, 20, 10), 0.25);
  EXPECT_DOUBLE_EQ(linear_warmup_decay_factor(20, 20, 10), 0.0);
}

TEST(LrScheduleTest, WarmupRatioResolvesLikeHf) {
  // MRPC preset: warmup_ratio 0.1; 3450 steps → ceil(345.0) = 345; 3451 → ceil(345.1) = 346.
  EXPECT_EQ(resolve_warmup_steps(0, 0.1, 3450), 345);
  EXPECT_EQ(resolve_warmup_steps(0, 0.1, 3451), 346);
  EXPECT_EQ(resolve_warmup_steps(1000, 0.1, 3450), 1000);  // steps win over the ratio
  EXPECT_EQ(resolve_warmup_steps(0, 0.0, 3450), 0);
}

TEST(LrScheduleTest, RejectsInvalidArguments) {
  try {
    resolve_warmup_steps(0, 1.5, 10);
    FAIL() << "expected adalora::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "lr schedule: warmup_ratio: expected a value in [0, 1], got 1.5");
  }
  EXPECT_THROW(LinearSchedule(1e-3, 0, 0), Error);
  EXPECT_THROW(LinearSchedule(0.0, 0, 10), Error);
  EXPECT_THROW(LinearSchedule(1e-3, 0, 10).lr(-1), Error);
}

}  // namespace
}  // namespace adalora::train
