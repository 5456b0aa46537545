// The contract between the adaptable linear layer and a PEFT method's per-layer adapter.
//
// An adapter is a LibTorch module whose own parameters, buffers and children are registered on the
// host `nn::Linear` under the adapter's names when attached (so `named_parameters()` yields
// `<module path>.lora_A`, exactly PEFT's key minus `base_model.model.`). It never owns the base weight.
#pragma once

#include <torch/torch.h>

#include <optional>

#include "adalora/nn/low_rank_linear.h"

namespace adalora::nn {

class Adapter : public torch::nn::Module {
 public:
  ~Adapter() override = default;

  /// x: [..., in_features], y_base: [..., out_features] (the frozen layer's output)
  /// → adapted output [..., out_features].
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) = 0;

  /// When the adapter's output is y_base + scale·(xa·Aᵀ)·Bᵀ for this input (LoRA, AdaLoRA), its
  /// factors, so the layer runs base and update as one autograd node (nn/low_rank_linear.h);
  /// nullopt to be called through forward() instead. Must agree with forward().
  virtual std::optional<LowRankUpdate> low_rank_update(const torch::Tensor& x) { return std::nullopt; }

  /// The update ΔW as an [out_features, in_features] matrix (nn.Linear layout), for merging.
  virtual torch::Tensor delta_weight() const = 0;

  /// Name of the method that made this adapter, e.g. "adalora", "lora".
  virtual const char* method() const = 0;
};

}  // namespace adalora::nn
