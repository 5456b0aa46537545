#include "adalora/models/relative_position.h"

#include <cmath>

namespace adalora::models {

torch::Tensor make_log_bucket_position(const torch::Tensor& relative_pos, int64_t bucket_size,
                                       int64_t max_position) {
  const auto sign = torch::sign(relative_pos);
  const int64_t mid = bucket_size / 2;
  const auto mid_minus_one = torch::full({}, mid - 1, relative_pos.options());
  const auto abs_pos = torch::where((relative_pos < mid) & (relative_pos > -mid), mid_minus_one,
                                    torch::abs(relative_pos));
  // HF: abs_pos / mid is int64 true division → float32 (the default dtype), and
  // torch.tensor((max_position - 1) / mid) is a float32 scalar tensor.
  const auto denom = torch::log(
      torch::full({}, static_cast<double>(max_position - 1) / static_cast<double>(mid),
                  relative_pos.options().dtype(torch::kFloat32)));
  const auto log_pos =
      torch::ceil(torch::log(abs_pos.to(torch::kFloat32) / static_cast<double>(mid)) / denom *
                  static_cast<double>(mid - 1)) +
      static_cast<double>(mid);
  const auto bucket_pos = torch::where(abs_pos <= mid, relative_pos.to(torch::kFloat32),
                                       log_pos * sign.to(torch::kFloat32));
  return bucket_pos.to(torch::kLong);
}

torch::Tensor build_relative_position(int64_t query_size, int64_t key_size, int64_t bucket_size,
                                      int64_t max_position, torch::Device device) {
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  auto rel = torch::arange(query_size, opts).unsqueeze(1) - torch::arange(key_size, opts).unsqueeze(0);
  if (bucket_size > 0 && max_position > 0) {
    rel = make_log_bucket_position(rel, bucket_size, max_position);
  }
  return rel.unsqueeze(0);  // [1, q, k]
}

}  // namespace adalora::models
