#include "adalora/nn/linear.h"

#include <cmath>

#include "adalora/core/error.h"

namespace adalora::nn {

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features, bool bias)
    : LinearImpl(LinearOptions{in_features, out_features, bias, false}) {}

LinearImpl::LinearImpl(const LinearOptions& options) : options_(options) {
  ADALORA_CHECK(options.in_features > 0 && options.out_features > 0,
                "nn::Linear: expected positive in_features and out_features, got ",
                options.in_features, " and ", options.out_features);
  // torch.nn.Linear's default init: kaiming_uniform(a=sqrt(5)) → U(-1/sqrt(in), 1/sqrt(in)).
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features));
  const auto shape = options.fan_in_fan_out
                         ? std::vector<int64_t>{options.in_features, options.out_features}
                         : std::vector<int64_t>{options.out_features, options.in_features};
  weight = register_parameter("weight", torch::empty(shape).uniform_(-bound, bound));
  if (options.bias) {
    bias = register_parameter("bias", torch::empty({options.out_features}).uniform_(-bound, bound));
  }
}

torch::Tensor LinearImpl::base_forward(const torch::Tensor& x) const {
  if (options_.fan_in_fan_out) {
    auto y = torch::matmul(x, weight);
    return bias.defined() ? y + bias : y;
  }
  return torch::linear(x, weight, bias);
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  if (adapter_ && !enabled_ && merged_) unmerge();
  if (!adapter_ || !enabled_ || merged_) return base_forward(x);
  if (!options_.fan_in_fan_out && x.scalar_type() == weight.scalar_type()) {
    if (auto update = adapter_->low_rank_update(x)) return low_rank_linear(x, weight, bias, *update);
  }
  return adapter_->forward(x, base_forward(x));
}

void LinearImpl::attach(std::shared_ptr<Adapter> adapter) {
  ADALORA_CHECK(adapter != nullptr, "nn::Linear::attach: expected an adapter, got nullptr");
  ADALORA_CHECK(adapter_ == nullptr, "nn::Linear::attach: this layer already holds a ",
                adapter_->method(), " adapter; a layer holds at most one");
  for (auto& item : adapter->named_parameters(/*recurse=*/false)) {
    register_parameter(item.key(), item.value(), item.value().requires_grad());
  }
  for (auto& item : adapter->named_buffers(/*recurse=*/false)) {
    register_buffer(item.key(), item.value());
  }
  for (auto& item : adapter->named_children()) {
    register_module(item.key(), item.value());
  }
  adapter->train(is_training());
  adapter_ = std::move(adapter);
}

void LinearImpl::set_adapter_enabled(bool enabled) {
  if (!enabled && merged_) unmerge();
  enabled_ = enabled;
}

torch::Tensor LinearImpl::weight_out_in() const {
  return options_.fan_in_fan_out ? weight.t() : weight;
}

void LinearImpl::merge() {
  ADALORA_CHECK(adapter_ != nullptr, "nn::Linear::merge: no adapter attached");
  if (merged_) return;
  torch::NoGradGuard no_grad;
  auto delta = adapter_->delta_weight().to(weight.dtype());
  ADALORA_CHECK(torch::isfinite(delta).all().item<bool>(),
                "nn::Linear::merge: the ", adapter_->method(),
                " adapter's delta weight has NaN or inf entries; refusing to merge");
  weight.add_(options_.fan_in_fan_out ? delta.t() : delta);
  merged_ = true;
}

void LinearImpl::unmerge() {
  if (!merged_) return;
  torch::NoGradGuard no_grad;
  auto delta = adapter_->delta_weight().to(weight.dtype());
  weight.sub_(options_.fan_in_fan_out ? delta.t() : delta);
  merged_ = false;
}

void LinearImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (adapter_) adapter_->train(on);
}

void LinearImpl::pretty_print(std::ostream& stream) const {
  stream << "adalora::nn::Linear(in_features=" << options_.in_features
         << ", out_features=" << options_.out_features << ", bias=" << std::boolalpha
         << options_.bias;
  if (options_.fan_in_fan_out) stream << ", fan_in_fan_out=true";
  if (adapter_) stream << ", adapter=" << adapter_->method();
  stream << ")";
}

}  // namespace adalora::nn
