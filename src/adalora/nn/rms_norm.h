// Root-mean-square layer norm (Zhang & Sennrich 2019) as transformers v4.40.2 modeling_llama.py
// LlamaRMSNorm (also Mistral's and Qwen2's): x · rsqrt(mean(x²) + eps), computed in float32 whatever
// the input dtype, cast back, then scaled by `weight` (no bias, no mean subtraction).
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

class RMSNormImpl : public torch::nn::Module {
 public:
  /// `weight` [hidden] starts at ones, as HF constructs it (HF's _init_weights leaves it alone).
  RMSNormImpl(int64_t hidden_size, double eps);

  /// x: [..., hidden] → [..., hidden] in x's dtype (times weight, which may promote).
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  double eps() const { return eps_; }
  torch::Tensor weight;  ///< [hidden]

 private:
  double eps_;
};

TORCH_MODULE(RMSNorm);

}  // namespace adalora::nn
