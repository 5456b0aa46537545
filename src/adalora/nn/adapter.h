// The contract between the adaptable linear layer and a PEFT method's per-layer adapter.
//
// An adapter is a LibTorch module whose own parameters, buffers and children are registered on the
// host `nn::Linear` under the adapter's names when attached (so `named_parameters()` yields
// `<module path>.lora_A`, exactly PEFT's key minus `base_model.model.`). It never owns the base weight.
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

class Adapter : public torch::nn::Module {
 public:
  ~Adapter() override = default;

  /// x: [..., in_features], y_base: [..., out_features] (the frozen layer's output)
  /// → adapted output [..., out_features].
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) = 0;

  /// The update ΔW as an [out_features, in_features] matrix (nn.Linear layout), for merging.
  virtual torch::Tensor delta_weight() const = 0;

  /// Name of the method that made this adapter, e.g. "adalora", "lora".
  virtual const char* method() const = 0;
};

}  // namespace adalora::nn
