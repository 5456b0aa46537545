// The additive attention masks of the generative models: a padding mask for encoders and
// cross-attention, and the self-attention mask of decoders: causal (query at absolute position
// past + i sees keys 0 ..= past + i) plus padding (keys whose attention_mask is 0), in the two ways
// transformers v4.40.2 combines them. Masked entries hold torch.finfo(dtype).min, never -inf or
// -10000, as HF's eager attention: the golden cases compare padded positions too.
#pragma once

#include <torch/torch.h>

namespace adalora::models {

/// torch.finfo(dtype).min for float32/float64/float16/bfloat16; also the masked value of the
/// encoders (BERT's get_extended_attention_mask, DeBERTa's XSoftmax).
double finfo_min(torch::ScalarType dtype);

enum class MaskCombine {
  /// GPT-2 (modeling_gpt2.py GPT2Attention._attn): where(causal, scores, min) + (1 − m)·min, so a key
  /// both in the future and padded gets min + min = −inf.
  Sum,
  /// LLaMA `_update_causal_mask`, Mistral/Qwen2/BART `_prepare_4d_causal_attention_mask`: min where
  /// the key is in the future or padded, 0 elsewhere.
  Clamp,
};

/// transformers v4.40.2 _prepare_4d_attention_mask (encoders, cross-attention): mask [B, S] (1 =
/// attend, 0 = padding) → [B, 1, 1, S] in `dtype`, finfo(dtype).min at the padded keys.
torch::Tensor padding_mask(const torch::Tensor& mask, torch::ScalarType dtype);

/// attention_mask: [B, past + T] (1 = token, 0 = padding) or undefined (no padding). Returns the
/// additive mask [B, 1, T, past + T] (or [1, 1, T, past + T] without attention_mask) in `dtype`.
torch::Tensor causal_attention_mask(const torch::Tensor& attention_mask, int64_t T, int64_t past,
                                    torch::ScalarType dtype, MaskCombine combine,
                                    torch::Device device = torch::kCPU);

}  // namespace adalora::models
