// DeBERTa-v2/v3 relative positions (transformers v4.40.2 modeling_deberta_v2.py:
// make_log_bucket_position, build_relative_position). Exposed for the unit tests that compare the
// bucket table with the golden debug tensors.
#pragma once

#include <torch/torch.h>

namespace adalora::models {

/// make_log_bucket_position: relative distances [any shape] int64 → bucketed distances, int64.
/// |rel| ≤ bucket_size/2 stay; larger ones are log-compressed, computed in float32 as HF does.
torch::Tensor make_log_bucket_position(const torch::Tensor& relative_pos, int64_t bucket_size,
                                       int64_t max_position);

/// build_relative_position: [1, query_size, key_size] int64 with rel[q, k] = q − k, bucketed when
/// bucket_size > 0 and max_position > 0.
torch::Tensor build_relative_position(int64_t query_size, int64_t key_size, int64_t bucket_size,
                                      int64_t max_position,
                                      torch::Device device = torch::kCPU);

}  // namespace adalora::models
