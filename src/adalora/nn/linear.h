// The adaptable linear layer: a drop-in for torch::nn::Linear that every model of the project (and
// a user's own LibTorch model) uses for its projections, so attaching a PEFT adapter never rewires
// the model. LibTorch modules have no forward hooks and replace_module leaves typed members pointing
// at the old child, hence adapters live inside the layer rather than around it.
//
// Parameter names equal torch.nn.Linear's (`weight` [out, in], `bias` [out]); with fan_in_fan_out
// the weight is stored [in, out] as GPT-2's Conv1D does (PEFT's `fan_in_fan_out=True`).
#pragma once

#include <torch/torch.h>

#include <memory>

#include "adalora/nn/adapter.h"

namespace adalora::nn {

struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
  bool fan_in_fan_out = false;  ///< weight stored [in, out] (GPT-2 Conv1D), used as x @ W + b
};

class LinearImpl : public torch::nn::Module {
 public:
  explicit LinearImpl(const LinearOptions& options);
  LinearImpl(int64_t in_features, int64_t out_features, bool bias = true);

  /// x: [..., in] → [..., out]: base output, plus the adapter's contribution when attached,
  /// enabled and not merged.
  torch::Tensor forward(const torch::Tensor& x);

  /// The frozen layer alone. x: [..., in] → [..., out].
  torch::Tensor base_forward(const torch::Tensor& x) const;

  /// Attaches `adapter` and registers its parameters, buffers and child modules on this layer
  /// under their own names. A layer holds at most one adapter.
  void attach(std::shared_ptr<Adapter> adapter);

  const std::shared_ptr<Adapter>& adapter() const { return adapter_; }

  /// The adapter as its concrete type, or nullptr when there is none or it is of another type.
  template <typename T>
  std::shared_ptr<T> adapter_as() const {
    return std::dynamic_pointer_cast<T>(adapter_);
  }

  /// When disabled, forward() returns the base output (unmerging first if merged), as PEFT's
  /// disable_adapter().
  void set_adapter_enabled(bool enabled);
  bool adapter_enabled() const { return enabled_; }

  /// W += ΔW (checked finite first), then forward() skips the adapter path.
  void merge();
  /// W -= ΔW.
  void unmerge();
  bool merged() const { return merged_; }

  /// The base weight in [out, in] layout whatever the storage layout.
  torch::Tensor weight_out_in() const;

  void train(bool on = true) override;
  void pretty_print(std::ostream& stream) const override;

  const LinearOptions& options() const { return options_; }

  torch::Tensor weight;  ///< [out, in], or [in, out] with fan_in_fan_out
  torch::Tensor bias;    ///< [out]; undefined when options.bias is false

 private:
  LinearOptions options_;
  std::shared_ptr<Adapter> adapter_;
  bool enabled_ = true;
  bool merged_ = false;
};

TORCH_MODULE(Linear);

}  // namespace adalora::nn
