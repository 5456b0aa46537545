#include "adalora/nn/rotary.h"

#include "adalora/core/error.h"

namespace adalora::nn {
namespace {

// 1 / base^(arange(0, D, 2) / D), with `base` a float32 0-d tensor (HF's expression, in float32).
torch::Tensor inv_freq_from_base(int64_t head_dim, const torch::Tensor& base) {
  const auto exponent =
      torch::arange(0, head_dim, 2, torch::kLong).to(torch::kFloat32) / static_cast<double>(head_dim);
  return 1.0 / torch::pow(base, exponent);
}

}  // namespace

torch::Tensor rope_inv_freq(int64_t head_dim, double theta) {
  ADALORA_CHECK(head_dim > 0 && head_dim % 2 == 0, "rotary: head_dim: expected a positive even number, got ",
                head_dim);
  // Python's `theta ** tensor` is pow(Scalar, Tensor): the scalar meets a float32 exponent.
  const auto exponent =
      torch::arange(0, head_dim, 2, torch::kLong).to(torch::kFloat32) / static_cast<double>(head_dim);
  return 1.0 / torch::pow(theta, exponent);
}

std::pair<torch::Tensor, torch::Tensor> rope_cos_sin(const RotaryOptions& options,
                                                     const torch::Tensor& position_ids,
                                                     torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  const int64_t D = options.head_dim;
  auto inv_freq = rope_inv_freq(D, options.theta).to(position_ids.device());  // [D/2]
  auto positions = position_ids.to(torch::kFloat32);                           // [B, T]
  if (options.scaling == RopeScaling::Linear) {
    positions = positions / options.factor;
  } else if (options.scaling == RopeScaling::Dynamic && position_ids.numel() > 0) {
    const auto seq_len = position_ids.max() + 1;  // 0-d int64, as HF
    if (seq_len.item<int64_t>() > options.max_position_embeddings) {
      // HF: base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2)), float32.
      const auto ratio = (seq_len.to(torch::kFloat32) * options.factor) /
                             static_cast<double>(options.max_position_embeddings) -
                         (options.factor - 1.0);
      const auto base = torch::pow(ratio, static_cast<double>(D) / static_cast<double>(D - 2)) * options.theta;
      inv_freq = inv_freq_from_base(D, base);
    }
  }
  const auto angles = positions.unsqueeze(-1) * inv_freq;  // [B, T, D/2]
  const auto emb = torch::cat({angles, angles}, -1);       // [B, T, D]
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  const auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);  // [B, T, H, D]
  return x * cos.unsqueeze(2) + rotated * sin.unsqueeze(2);
}

}  // namespace adalora::nn
