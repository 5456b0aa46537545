// Rotary position embeddings (Su et al. 2021, RoFormer) in the half-split convention of HF-format
// LLaMA-family checkpoints, as transformers v4.40.2 modeling_llama.py LlamaRotaryEmbedding,
// LlamaLinearScalingRotaryEmbedding, LlamaDynamicNTKScalingRotaryEmbedding, rotate_half and
// apply_rotary_pos_emb (Mistral's and Qwen2's cached tables hold the same float32 values).
//
//   inv_freq[i] = 1 / theta^(2i / D)          (float32, i < D/2)
//   angle[b, t, i] = position[b, t] · inv_freq[i];  emb = cat(angle, angle)   [B, T, D]
//   x' = x · cos(emb) + rotate_half(x) · sin(emb),  rotate_half(x) = cat(−x[D/2:], x[:D/2])
//
// Scaling (config `rope_scaling`): linear divides the positions by `factor`; dynamic (NTK) replaces
// theta by theta · (factor · L / max_position_embeddings − (factor − 1))^(D / (D − 2)) when the
// call's largest position L − 1 reaches max_position_embeddings. HF's dynamic module keeps the last
// recomputed inv_freq for later, shorter calls (state carried between forwards); here every call
// computes it from its own positions, which equals HF for any call whose longest sequence is its
// first long one.
#pragma once

#include <torch/torch.h>

#include <utility>

namespace adalora::nn {

enum class RopeScaling { None, Linear, Dynamic };

struct RotaryOptions {
  int64_t head_dim = 0;                 ///< D (even)
  double theta = 10000.0;               ///< config `rope_theta`
  int64_t max_position_embeddings = 2048;
  RopeScaling scaling = RopeScaling::None;
  double factor = 1.0;                  ///< rope_scaling.factor (> 1 when scaling)
};

/// inv_freq [D/2] float32, as HF's buffer of the same name, for base `theta`.
torch::Tensor rope_inv_freq(int64_t head_dim, double theta);

/// cos and sin [B, T, D] in `dtype` for position_ids [B, T] (computed in float32 as HF).
std::pair<torch::Tensor, torch::Tensor> rope_cos_sin(const RotaryOptions& options,
                                                     const torch::Tensor& position_ids,
                                                     torch::ScalarType dtype);

/// x: [B, T, H, D], cos/sin: [B, T, D] → x·cos + rotate_half(x)·sin, [B, T, H, D].
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace adalora::nn
