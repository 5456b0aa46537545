#include "tests/support/toy_adalora_model.h"

#include <sstream>

#include "tests/support/golden.h"

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

std::vector<ToyLayerSpec> toy_layer_specs_from_json(const nlohmann::json& model) {
  std::vector<ToyLayerSpec> out;
  for (const auto& m : model.at("modules")) {
    out.push_back({m.at("name").get<std::string>(), m.at("in_features").get<int64_t>(),
                   m.at("out_features").get<int64_t>()});
  }
  return out;
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

ToyModelImpl::ToyModelImpl(torch::Dtype dtype, std::vector<ToyLayerSpec> specs_)
    : specs(std::move(specs_)) {
  for (const auto& spec : specs) {
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
    const int64_t in = specs[i].in_features;
    outs.push_back(layers[i](x.narrow(1, col, in)));
    col += in;
  }
  return torch::cat(outs, 1);
}

void ToyModelImpl::load_base_weights(const nlohmann::json& base_weights) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto& w = base_weights.at(specs[i].path);
    const auto dtype = layers[i]->weight.scalar_type();
    layers[i]->weight.copy_(tensor_from_json(w.at("weight"), dtype));  // [out, in]
    layers[i]->bias.copy_(tensor_from_json(w.at("bias"), dtype));      // [out]
  }
}

}  // namespace adalora::testing
