#include "adalora/models/decoder_step.h"

#include "adalora/core/error.h"

namespace adalora::models {

DecoderStep prepare_decoder_step(const ModelInputs& in, int64_t num_layers, const std::string& model) {
  ADALORA_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
                model, ": input_ids: expected [batch, seq] token ids, got ",
                in.input_ids.defined() ? in.input_ids.sizes() : c10::IntArrayRef{});
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  DecoderStep step;
  if (in.cache != nullptr) {
    auto& layers = in.cache->self_attention;
    if (layers.empty()) layers.resize(num_layers);
    ADALORA_CHECK(static_cast<int64_t>(layers.size()) == num_layers, model, ": cache: expected ",
                  num_layers, " self-attention layers, got ", layers.size(), " (a cache of another model?)");
    step.past = in.cache->length();
    for (const auto& layer : layers) {
      ADALORA_CHECK(!layer.key.defined() || (layer.key.size(0) == B && layer.key.size(2) == step.past),
                    model, ": cache: expected every layer to hold [", B, ", heads, ", step.past,
                    ", head_dim] keys, got ", layer.key.sizes());
    }
  }
  if (in.attention_mask.defined()) {
    ADALORA_CHECK(in.attention_mask.dim() == 2 && in.attention_mask.size(0) == B &&
                      in.attention_mask.size(1) == step.past + T,
                  model, ": attention_mask: expected [", B, ", ", step.past + T, "] (", step.past,
                  " cached + ", T, " new positions), got ", in.attention_mask.sizes());
  }
  if (in.position_ids.defined()) {
    ADALORA_CHECK(in.position_ids.dim() == 2 && in.position_ids.size(1) == T &&
                      (in.position_ids.size(0) == B || in.position_ids.size(0) == 1),
                  model, ": position_ids: expected [", B, ", ", T, "], got ", in.position_ids.sizes());
    step.position_ids = in.position_ids.to(torch::kLong).expand({B, T});
  } else {
    step.position_ids =
        torch::arange(step.past, step.past + T, in.input_ids.options().dtype(torch::kLong))
            .unsqueeze(0)
            .expand({B, T});
  }
  return step;
}

}  // namespace adalora::models
