// The key/value cache of incremental decoding (HF's past_key_values): what a decoder layer has
// already projected, so that each new token costs one projection and one attention read over the
// prefix instead of a forward over the whole sequence.
//
// Shapes: key/value [B, H_kv, T_cached, D] (H_kv = num_key_value_heads for grouped-query attention;
// keys after rotary embedding for LLaMA). Models fill the per-layer vectors on their first call
// (resize to their layer count) and append along dimension 2 on every call after.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace adalora::models {

struct KvCache {
  struct Layer {
    torch::Tensor key;    ///< [B, H_kv, T, D]; undefined until the layer ran once
    torch::Tensor value;  ///< [B, H_kv, T, D]
  };
  std::vector<Layer> self_attention;   ///< one per decoder layer
  std::vector<Layer> cross_attention;  ///< encoder-decoder: projections of the encoder output
  torch::Tensor encoder_hidden_states;   ///< [B, S, C] encoder output; undefined → not encoded yet
  torch::Tensor encoder_attention_mask;  ///< [B, S] or undefined (no padding)

  /// Positions held by the self-attention cache (0 when empty).
  int64_t length() const;
  /// Keeps rows `batch_index` ([N] int64) of every tensor, in that order: beam search's reorder
  /// (HF _reorder_cache) and dropping finished rows.
  void reorder(const torch::Tensor& batch_index);
  /// Forgets everything.
  void clear();
};

/// Appends new_key/new_value [B, H_kv, T_new, D] to `layer` and returns the full key and value.
std::pair<torch::Tensor, torch::Tensor> append_to_cache(KvCache::Layer& layer,
                                                        const torch::Tensor& new_key,
                                                        const torch::Tensor& new_value);

}  // namespace adalora::models
