// The rank allocator: importance EMAs over every adapter entry, triplet scores (eq. (7)), the
// global threshold at the k-th smallest score, masking of λ, the final-phase pattern — with
// PEFT's semantics step by step (RankAllocator + AdaLoraModel.update_and_allocate, reference §5–§7).
//
// Adapters are resolved once at construction (no name lookups per step). Scores stay on the
// device; one host sync per mask (to read the pattern), none per matrix.
#pragma once

#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adalora/peft/adalora/budget_schedule.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/adalora/importance.h"
#include "adalora/peft/adalora/svd_adapter.h"

namespace adalora::peft {

/// An adapted matrix: its module path and its adapter.
struct AdaptedMatrix {
  std::string name;  ///< module path, e.g. "encoder.layer.0.attention.query"
  std::shared_ptr<SvdAdapter> adapter;
};

/// What update_and_allocate did at one step.
struct AllocationResult {
  int64_t step = 0;
  AllocatorAction action = AllocatorAction::UpdateImportance;
  int64_t budget = 0;                ///< b(step)
  bool mask_ind = false;
  bool masked = false;               ///< a threshold mask ran (budgeting mask or force mask)
  int64_t k = 0;                     ///< init_bgt − budget, when masked
  std::optional<double> threshold;   ///< k-th smallest triplet score, when masked
  torch::Tensor triplet_scores;      ///< [Σ r_k] the scores the mask used, when masked
};

/// Current rank and mask of one matrix.
struct MatrixRank {
  std::string name;
  int64_t rank = 0;            ///< kept triplets
  std::vector<bool> mask;      ///< true = kept
};

class RankAllocator {
 public:
  RankAllocator(std::vector<AdaptedMatrix> matrices, const AdaLoraConfig& config);

  /// PEFT's AdaLoraModel.update_and_allocate(global_step): call once per optimizer step, after
  /// optimizer.step() and before zero_grad(), with the 0-based index of that step.
  AllocationResult update_and_allocate(int64_t global_step);

  // The pieces, for tests and custom loops.
  /// Eq. (8)–(9) for A, B, E of every matrix, reading each parameter's .grad().
  void update_importance();
  /// Triplet scores of every matrix concatenated in matrix order: [Σ r_k].
  torch::Tensor triplet_scores() const;
  /// Zeroes λ of every triplet with score ≤ the k-th smallest (k = init_bgt − budget); stores and
  /// returns the pattern. Throws Error when k is outside [1, number of triplets].
  AllocationResult mask_to_budget(int64_t budget);
  /// Zeroes λ where the stored pattern is false.
  void mask_using_rank_pattern();
  /// Clears the EMA state.
  void reset_importance();

  const BudgetSchedule& schedule() const { return schedule_; }
  const std::vector<AdaptedMatrix>& matrices() const { return matrices_; }
  /// "<module>.lora_E" → bools; empty before the first mask.
  const RankPattern& rank_pattern() const { return rank_pattern_; }
  void set_rank_pattern(RankPattern pattern);
  /// Rank and mask per matrix: from the pattern when one exists, else all init_r kept.
  std::vector<MatrixRank> ranks() const;
  /// Kept triplets over all matrices.
  int64_t total_rank() const;

  /// Importance state per matrix and tensor ("A", "B", "E"), for checkpoints and tests.
  const std::vector<std::array<ImportanceState, 3>>& importance() const { return state_; }
  std::vector<std::array<ImportanceState, 3>>& importance() { return state_; }

  /// Named tensors of the allocator state (EMAs) for a training checkpoint:
  /// "<module>.lora_{A,B,E}.{ipt,exp_avg_ipt,exp_avg_unc}".
  std::vector<std::pair<std::string, torch::Tensor>> state_tensors() const;
  /// Restores what state_tensors() returned (missing names → Error).
  void load_state_tensors(const std::map<std::string, torch::Tensor>& tensors);

 private:
  torch::Tensor matrix_scores(size_t i) const;

  std::vector<AdaptedMatrix> matrices_;
  AdaLoraConfig config_;
  BudgetSchedule schedule_;
  std::vector<std::array<ImportanceState, 3>> state_;  // per matrix: A, B, E
  RankPattern rank_pattern_;
  std::vector<torch::Tensor> keep_masks_;  // per matrix [r, 1] bool, from the pattern
};

}  // namespace adalora::peft
