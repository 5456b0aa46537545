// Evaluation at the frozen base model's cost: while a MergedForEval lives, every adapter whose
// eval-mode output is a low-rank update of the layer (LoRA, AdaLoRA: y = x·(W + ΔW)ᵀ + b) is merged
// into its layer's weight, so a forward pass runs the base GEMMs only. On destruction the weights
// saved before merging are copied back, so they are restored bit for bit (W + ΔW − ΔW is not W in
// floating point), and the layers run their adapters again.
//
// Exact up to float rounding: merged logits differ from the unmerged ones by the rounding of
// x·(W + ΔW)ᵀ against x·Wᵀ + s·(x·Aᵀ)·Bᵀ (tests/unit/peft/merged_for_eval_test.cpp: ≤ 1e-5 in
// float32). Not merged, and so run as before: layers in training mode (adapter dropout), disabled or
// already merged adapters, adapters that are not low-rank updates (nn::Adapter::low_rank_update
// gives none), and adapters whose dtype differs from the weight's (merging would round ΔW to it).
// Memory: one copy of each merged weight for the guard's lifetime.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "adalora/nn/linear.h"

namespace adalora::peft {

class MergedForEval {
 public:
  /// Merges the mergeable adapters of every nn::Linear in `model` (see the file comment).
  explicit MergedForEval(torch::nn::Module& model);
  /// Restores every merged layer's weight bit for bit and re-enables its adapter path.
  ~MergedForEval();

  MergedForEval(const MergedForEval&) = delete;
  MergedForEval& operator=(const MergedForEval&) = delete;

  /// How many layers were merged.
  int64_t merged_layers() const { return static_cast<int64_t>(merged_.size()); }

 private:
  void restore();

  struct Merged {
    std::shared_ptr<nn::LinearImpl> layer;
    torch::Tensor original_weight;  // the weight before merging, in its storage layout
  };
  std::vector<Merged> merged_;
};

}  // namespace adalora::peft
