// The global budget b(t): paper eq. (12) as PEFT computes it (RankAllocator.budget_schedule,
// reference §5), and the model-level action at each step (AdaLoraModel.update_and_allocate, §7).
//
//   step ≤ tinit                 → b = init_bgt, no mask           (warm-up)
//   step > T − tfinal            → b = target_bgt, mask            (final phase)
//   otherwise                    → b = int((init_bgt − target_bgt)·pow(1 − (step − tinit)/(T − tfinal − tinit), 3)
//                                          + target_bgt), mask iff step % deltaT == 0
//
// Exactness: pow(c, 3.0) on a double, not c*c*c, then truncation toward zero — the golden
// `truncation_trap` table tells the two apart (27 vs 28).
#pragma once

#include <cstdint>

namespace adalora::peft {

/// What AdaLoraModel.update_and_allocate does at a step.
enum class AllocatorAction {
  UpdateImportance,         ///< step < T − tfinal and no mask this step
  UpdateImportanceAndMask,  ///< step < T − tfinal and mask_ind
  ForceMaskAndReset,        ///< step == T − tfinal: mask to b(T) with the last scores, clear them
  ApplyRankPattern,         ///< step > T − tfinal: re-zero λ by the stored pattern
};

const char* to_string(AllocatorAction action);

struct BudgetSchedule {
  int64_t init_bgt = 0;    ///< Σ init_r over adapted matrices
  int64_t target_bgt = 0;  ///< target_r × number of adapted matrices
  int64_t tinit = 0;
  int64_t tfinal = 0;
  int64_t deltaT = 1;
  int64_t total_step = 0;

  struct Point {
    int64_t budget = 0;
    bool mask_ind = false;
  };

  /// PEFT's budget_schedule(step).
  Point at(int64_t step) const;
  /// The model-level branch taken at `step`.
  AllocatorAction action(int64_t step) const;
};

}  // namespace adalora::peft
