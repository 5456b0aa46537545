// One generation run's model side: feeds the model step by step and keeps what HF's
// prepare_inputs_for_generation / _update_model_kwargs_for_generation keep — the sequences so far,
// the attention mask and position ids of left-padded decoder-only prompts, the KV cache.
//
// Two paths, both kept: with the cache (each step feeds only the new token; the encoder of an
// encoder-decoder model runs once) and without it (a full forward over everything each step —
// the reference the cached path is tested against, and the benchmark's baseline).
//
// Rows are expanded `expand` times (num_beams, or num_return_sequences when sampling), batch-major
// as HF's _expand_inputs_for_generation. With the cache the first forward runs on the unexpanded
// batch and its cache and logits are then repeated: every copy of an input starts identical.
#pragma once

#include <torch/torch.h>

#include "adalora/models/kv_cache.h"
#include "adalora/models/model.h"

namespace adalora::generation {

class DecodingSession {
 public:
  /// `input_ids` [B, T]: the left-padded prompt (decoder-only) or the encoder input;
  /// `attention_mask` [B, T] (1 = token); `decoder_start` [B, 1] for encoder-decoder models.
  DecodingSession(models::Model& model, const torch::Tensor& input_ids,
                  const torch::Tensor& attention_mask, const torch::Tensor& decoder_start,
                  int64_t expand, bool use_cache);

  /// Raw logits for the next token of every row: [B * expand, V] float32.
  torch::Tensor next_logits();
  /// Appends `tokens` [N] to the rows `rows` [N] of the current sequences (beam search's
  /// reorder; undefined → rows in order). Reorders the cache and mask the same way.
  void append(const torch::Tensor& tokens, const torch::Tensor& rows = {});

  /// [B * expand, L]: prompt (or decoder start) + generated tokens.
  const torch::Tensor& sequences() const { return sequences_; }
  /// Length of the decoder input at the start (HF's decoder_prompt_len / input_ids_length).
  int64_t prompt_length() const { return prompt_length_; }

 private:
  torch::Tensor decoder_only_logits();
  torch::Tensor encoder_decoder_logits();
  static torch::Tensor positions_from_mask(const torch::Tensor& mask);  // cumsum - 1, pads 1

  models::Model& model_;
  bool use_cache_;
  int64_t expand_;
  int64_t prompt_length_;
  torch::Tensor sequences_;       // [N, L] int64
  torch::Tensor mask_;            // decoder-only: [N, L]; encoder-decoder: encoder mask [N, S]
  torch::Tensor encoder_ids_;     // encoder-decoder: [N, S]
  torch::Tensor first_ids_;       // the unexpanded first input (cache path): [B, T]
  torch::Tensor first_mask_;      // [B, T]
  torch::Tensor first_decoder_;   // encoder-decoder: [B, 1]
  models::KvCache cache_;
  bool started_ = false;
};

}  // namespace adalora::generation
