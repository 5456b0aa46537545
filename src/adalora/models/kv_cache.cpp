#include "adalora/models/kv_cache.h"

namespace adalora::models {

int64_t KvCache::length() const {
  for (const auto& layer : self_attention) {
    if (layer.key.defined()) return layer.key.size(2);
  }
  return 0;
}

void KvCache::reorder(const torch::Tensor& batch_index) {
  auto pick = [&](torch::Tensor& t) {
    if (t.defined()) t = t.index_select(0, batch_index.to(t.device()));
  };
  for (auto* layers : {&self_attention, &cross_attention}) {
    for (auto& layer : *layers) {
      pick(layer.key);
      pick(layer.value);
    }
  }
  pick(encoder_hidden_states);
  pick(encoder_attention_mask);
}

void KvCache::clear() { *this = KvCache{}; }

std::pair<torch::Tensor, torch::Tensor> append_to_cache(KvCache::Layer& layer,
                                                        const torch::Tensor& new_key,
                                                        const torch::Tensor& new_value) {
  if (layer.key.defined()) {
    layer.key = torch::cat({layer.key, new_key}, 2);
    layer.value = torch::cat({layer.value, new_value}, 2);
  } else {
    layer.key = new_key;
    layer.value = new_value;
  }
  return {layer.key, layer.value};
}

}  // namespace adalora::models
