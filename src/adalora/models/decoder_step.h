// What every decoder-only model (GPT-2, LLaMA family) derives from ModelInputs before its layers
// run: how many positions the KV cache already holds, the position ids of the new tokens, and the
// checks that keep a wrong-sized cache or mask from producing silent garbage.
#pragma once

#include <string>

#include "adalora/models/model.h"

namespace adalora::models {

struct DecoderStep {
  int64_t past = 0;            ///< positions already in inputs.cache (0 without one)
  torch::Tensor position_ids;  ///< [B, T] int64: inputs.position_ids, else arange(past, past + T)
};

/// Validates input_ids [B, T], attention_mask [B, past + T], position_ids [B, T] and the cache
/// (sized to `num_layers` on its first use; a cache of another model is refused). `model` names
/// the class in errors.
DecoderStep prepare_decoder_step(const ModelInputs& inputs, int64_t num_layers, const std::string& model);

}  // namespace adalora::models
