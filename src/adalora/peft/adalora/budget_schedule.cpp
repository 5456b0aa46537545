#include "adalora/peft/adalora/budget_schedule.h"

#include <cmath>

namespace adalora::peft {

const char* to_string(AllocatorAction action) {
  switch (action) {
    case AllocatorAction::UpdateImportance: return "update_ipt";
    case AllocatorAction::UpdateImportanceAndMask: return "update_ipt+mask";
    case AllocatorAction::ForceMaskAndReset: return "force_mask+reset_ipt";
    case AllocatorAction::ApplyRankPattern: return "mask_using_rank_pattern";
  }
  return "?";
}

BudgetSchedule::Point BudgetSchedule::at(int64_t step) const {
  if (step <= tinit) return {init_bgt, false};
  if (step > total_step - tfinal) return {target_bgt, true};
  const double mul = 1.0 - static_cast<double>(step - tinit) /
                               static_cast<double>(total_step - tfinal - tinit);
  const double budget = static_cast<double>(init_bgt - target_bgt) * std::pow(mul, 3.0) +
                        static_cast<double>(target_bgt);
  return {static_cast<int64_t>(budget), step % deltaT == 0};
}

AllocatorAction BudgetSchedule::action(int64_t step) const {
  const int64_t final_start = total_step - tfinal;
  if (step < final_start) {
    return at(step).mask_ind ? AllocatorAction::UpdateImportanceAndMask
                             : AllocatorAction::UpdateImportance;
  }
  if (step == final_start) return AllocatorAction::ForceMaskAndReset;
  return AllocatorAction::ApplyRankPattern;
}

}  // namespace adalora::peft
