#include "tests/support/toy_adalora_model.h"

#include <sstream>

namespace adalora::testing {

const std::vector<ToyLayerSpec>& toy_layer_specs() {
  static const std::vector<ToyLayerSpec> specs = {
      {"encoder.layer.0.attention.query", 24, 16},
      {"encoder.layer.0.attention.value", 16, 24},
      {"encoder.layer.1.intermediate.dense", 32, 32},
      {"encoder.layer.1.output.dense", 40, 8},
  };
  return specs;
}

void register_at_path(torch::nn::Module& root, const std::string& path,
                      std::shared_ptr<torch::nn::Module> leaf) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  torch::nn::Module* node = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto children = node->named_children();
    auto* found = children.find(parts[i]);
    if (found == nullptr) {
      auto child = std::make_shared<torch::nn::Module>();
      node->register_module(parts[i], child);
      node = child.get();
    } else {
      node = found->get();
    }
  }
  node->register_module(parts.back(), std::move(leaf));
}

ToyModelImpl::ToyModelImpl(torch::Dtype dtype) {
  for (const auto& spec : toy_layer_specs()) {
    nn::Linear layer(spec.in_features, spec.out_features);
    layer->to(dtype);
    register_at_path(*this, spec.path, layer.ptr());
    layers.push_back(layer);
  }
}

torch::Tensor ToyModelImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> outs;
  int64_t col = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const int64_t in = toy_layer_specs()[i].in_features;
    outs.push_back(layers[i](x.narrow(1, col, in)));
    col += in;
  }
  return torch::cat(outs, 1);
}

}  // namespace adalora::testing
