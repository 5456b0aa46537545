// Dropout with a parallel, counter-based random mask. LibTorch 1.13's CPU dropout draws its mask
// with bernoulli_ one element at a time under the generator's lock (serial, ~6 ns per element) and
// keeps it as a float tensor: 10 % of a 2-thread bert-base train step and 4 bytes per element. Here
// each element's keep bit is a hash of (seed, index) — splitmix64, whose seed is one draw from
// LibTorch's default generator, so torch::manual_seed still makes runs repeatable — computed in
// parallel, the same for any thread count; the mask is kept as 1 byte per element.
//
// Same semantics as torch::nn::Dropout (inverted dropout: kept elements scaled by 1/(1−p),
// identity in eval mode or at p = 0), not the same random stream.
#pragma once

#include <torch/torch.h>

#include <utility>

namespace adalora::nn {

/// Inverted dropout of `x` with drop probability p ∈ [0, 1] when `training`; else x itself.
/// float32 and float64 run the parallel kernel; other dtypes fall back to torch::dropout.
torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training);

/// Without autograd, for fused ops (nn/attention.h): {x with kept elements scaled by 1/(1−p) and
/// the others zeroed, the keep mask as uint8}. float32/float64 on the CPU, p ∈ [0, 1).
std::pair<torch::Tensor, torch::Tensor> dropout_forward(const torch::Tensor& x, double p);
/// g·mask/(1−p), without autograd: dropout_forward's backward.
torch::Tensor dropout_backward(const torch::Tensor& g, const torch::Tensor& mask, double p);

/// The keep mask apply_dropout() would draw for `numel` elements from `seed` (1 = kept): exposed so tests
/// can check its statistics and its independence of the thread count.
torch::Tensor dropout_mask(int64_t numel, double p, uint64_t seed);

/// Drop-in for torch::nn::Dropout: `Dropout(p)`, forward(x), follows train()/eval().
class DropoutImpl : public torch::nn::Module {
 public:
  explicit DropoutImpl(double p = 0.5);
  torch::Tensor forward(const torch::Tensor& x) { return apply_dropout(x, p_, is_training()); }
  double p() const { return p_; }
  void pretty_print(std::ostream& stream) const override;

 private:
  double p_;
};

TORCH_MODULE(Dropout);

}  // namespace adalora::nn
