// Gradient-norm clipping in two halves, so that a training step reads the norm on the host only
// once, together with its losses (trainer.cpp), instead of inside clipping.
//
// torch::nn::utils::clip_grad_norm_ (LibTorch 1.13 and 2.x) returns a host double, so it copies
// the norm from the device on every call. These two functions are its norm_type = 2 path with the
// same operations in the same order — norm of each gradient, norm of their stack,
// coef = max_norm / (norm + 1e-6) clamped at 1, grad *= coef — so the scaled gradients and the
// norm are bit-identical to it (unit test: train/grad_clip_test.cpp), with nothing copied.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace adalora::train {

/// ‖(∇p)_p‖₂ over the parameters that have a gradient: a 0-dim tensor on their device, in their
/// dtype; an undefined tensor when none has a gradient.
torch::Tensor total_grad_norm(const std::vector<torch::Tensor>& parameters);

/// Scales every gradient by min(1, max_norm / (total_norm + 1e-6)) on the device (a no-op for an
/// undefined total_norm; max_norm = ∞ leaves the gradients as they are).
void scale_gradients(const std::vector<torch::Tensor>& parameters, const torch::Tensor& total_norm,
                     double max_norm);

}  // namespace adalora::train
