// AdaLoRA's per-layer adapter: ΔW = P·diag(λ)·Q in PEFT's storage (paper eq. (3); reference §2–§3).
//
//   lora_A = Q [r, in]   lora_E = λ [r, 1]   lora_B = P [out, r]   ranknum = init_r (constant)
//   y = y_base + ((dropout(x) @ (A∘E)ᵀ) @ Bᵀ) · scaling / (ranknum + 1e-5)
//
// `ranknum` stays init_r for ever, also after pruning and after reload (reference §3, §9), so the
// effective scale is lora_alpha / init_r. Pruning during training only zeroes λ entries; the
// tensors keep init_r rows until the adapter is saved (pruned) or loaded (resized).
#pragma once

#include <torch/torch.h>

#include "adalora/nn/adapter.h"
#include "adalora/nn/dropout.h"

namespace adalora::peft {

struct SvdAdapterOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  int64_t r = 12;                 ///< rank (init_r); 0 is allowed for pruned-away modules
  double lora_alpha = 8;          ///< scaling = lora_alpha if > 0 else r
  double lora_dropout = 0.0;
  bool init_lora_weights = true;  ///< E = 0, A, B ~ N(0, 0.02²); false: A, B, E ~ N(0, 1)
  torch::Dtype dtype = torch::kFloat32;
  /// forward() as one mm + addmm (scale and residual add fused into the GEMM); false: PEFT's
  /// operation order (forward_reference). Results agree to rounding (≤ 1 ulp in the scale).
  bool fused_forward = true;
};

class SvdAdapter : public nn::Adapter {
 public:
  explicit SvdAdapter(const SvdAdapterOptions& options);

  /// x: [..., in], y_base: [..., out] → [..., out]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) override;
  /// The same in PEFT's exact operation order — the reference the fused forward is checked against.
  torch::Tensor forward_reference(const torch::Tensor& x, const torch::Tensor& y_base);
  /// {A∘E, B, scale(), dropout(x) while training with dropout}: the layer's one-node path
  /// (nn/low_rank_linear.h), the same products as forward(); nullopt where forward() would take
  /// the reference path (fused_forward off, other dtype, rank 0).
  std::optional<nn::LowRankUpdate> low_rank_update(const torch::Tensor& x) override;
  /// B @ (A∘E) · scaling / (ranknum + 1e-5): [out, in]
  torch::Tensor delta_weight() const override;
  const char* method() const override { return "adalora"; }

  /// Current number of rows of A (= columns of B, entries of E).
  int64_t rank() const { return lora_A.size(0); }
  /// scaling / (ranknum + 1e-5), computed in ranknum's dtype as PEFT does.
  double scale() const;
  /// Keeps only the triplets whose `keep` bit is set (resizing A, E, B in place; the tensors stay
  /// the same registered parameters). ranknum is unchanged. keep.size() must equal rank().
  void prune(const std::vector<bool>& keep);
  /// Re-creates the tensors with `r` rows (fresh init; used before loading a pruned adapter).
  void resize(int64_t r);

  const SvdAdapterOptions& options() const { return options_; }

  torch::Tensor lora_A;   ///< Q: [r, in]
  torch::Tensor lora_B;   ///< P: [out, r]
  torch::Tensor lora_E;   ///< λ: [r, 1]
  torch::Tensor ranknum;  ///< [1], = init_r; a buffer (never trained, never saved)
  double scaling = 8;

 private:
  void init_weights(int64_t r);
  SvdAdapterOptions options_;
  double scale_denominator_ = 1;  // (ranknum + 1e-5) in ranknum's dtype; ranknum never changes
  nn::Dropout dropout_{nullptr};
};

}  // namespace adalora::peft
