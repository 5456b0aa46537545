#include "adalora/nn/rms_norm.h"

#include "adalora/core/error.h"

namespace adalora::nn {

RMSNormImpl::RMSNormImpl(int64_t hidden_size, double eps) : eps_(eps) {
  ADALORA_CHECK(hidden_size > 0, "nn::RMSNorm: expected a positive hidden size, got ", hidden_size);
  weight = register_parameter("weight", torch::ones({hidden_size}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  const auto h = x.to(torch::kFloat32);
  const auto variance = h.pow(2).mean(-1, /*keepdim=*/true);  // [..., 1]
  return weight * (h * torch::rsqrt(variance + eps_)).to(x.scalar_type());
}

void RMSNormImpl::pretty_print(std::ostream& stream) const {
  stream << "adalora::nn::RMSNorm(" << weight.size(0) << ", eps=" << eps_ << ")";
}

}  // namespace adalora::nn
