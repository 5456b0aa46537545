// BeamHypotheses: HF's add (keep the n best, ties drop the earlier) and is_done for the three
// early_stopping settings, on hand-computed scores.
#include "adalora/generation/beam_hypotheses.h"

#include <gtest/gtest.h>

namespace adalora::generation {
namespace {

torch::Tensor tokens(int64_t tag) { return torch::full({1}, tag, torch::kLong); }

TEST(BeamHypothesesTest, KeepsTheNBestAndTracksTheWorst) {
  BeamHypotheses h(/*num_beams=*/2, /*length_penalty=*/1.0, EarlyStopping::False, 10);
  h.add(tokens(0), -2.0, 2);  // -1
  h.add(tokens(1), -3.0, 3);  // -1
  EXPECT_DOUBLE_EQ(h.worst_score(), -1.0);
  h.add(tokens(2), -1.0, 2);  // -0.5 beats the worst; the earlier of the two -1 goes
  ASSERT_EQ(h.size(), 2);
  EXPECT_EQ(h.beams()[0].tokens.item<int64_t>(), 1);
  EXPECT_EQ(h.beams()[1].tokens.item<int64_t>(), 2);
  EXPECT_DOUBLE_EQ(h.worst_score(), -1.0);
  h.add(tokens(3), -4.0, 2);  // -2: not better than the worst, not kept
  EXPECT_EQ(h.size(), 2);
}

TEST(BeamHypothesesTest, LengthPenaltyDividesByGeneratedLengthToThePower) {
  BeamHypotheses h(1, 2.0, EarlyStopping::False, 10);
  h.add(tokens(0), -8.0, 2);
  EXPECT_DOUBLE_EQ(h.beams()[0].score, -2.0);
}

TEST(BeamHypothesesTest, IsDoneForTheThreeEarlyStoppingSettings) {
  for (EarlyStopping mode : {EarlyStopping::False, EarlyStopping::True, EarlyStopping::Never}) {
    BeamHypotheses h(2, 1.0, mode, /*max_length=*/10);
    h.add(tokens(0), -2.0, 2);
    EXPECT_FALSE(h.is_done(-1.0, 5, 1)) << "fewer than num_beams hypotheses";
    h.add(tokens(1), -2.0, 2);  // worst = -1
    // best running beam -4 over cur_len 5 - prompt 1 = 4 → -1: not better than the worst.
    const bool done_false = h.is_done(-4.0, 5, 1);
    // -3 / 4 = -0.75 could still beat -1.
    const bool open_false = h.is_done(-3.0, 5, 1);
    switch (mode) {
      case EarlyStopping::True:
        EXPECT_TRUE(done_false && open_false);
        break;
      case EarlyStopping::False:
        EXPECT_TRUE(done_false);
        EXPECT_FALSE(open_false);
        break;
      case EarlyStopping::Never:
        // length_penalty > 0: the best is judged at max_length: -4 / 9 = -0.44 > -1 → not done;
        // -10 / 9 = -1.11 → done.
        EXPECT_FALSE(done_false);
        EXPECT_TRUE(h.is_done(-10.0, 5, 1));
        break;
    }
  }
}

TEST(BeamHypothesesTest, NeverWithNegativeLengthPenaltyUsesTheCurrentLength) {
  BeamHypotheses h(1, -1.0, EarlyStopping::Never, 10);
  h.add(tokens(0), -1.0, 2);  // -1 / 2^-1 = -2
  EXPECT_TRUE(h.is_done(-0.5, 5, 1));   // -0.5 * 4 = -2 <= -2
  EXPECT_FALSE(h.is_done(-0.4, 5, 1));  // -1.6
}

}  // namespace
}  // namespace adalora::generation
