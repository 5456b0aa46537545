// The toy model of shared/golden/adalora (its README): nn::Linear layers at PEFT-style paths; x is
// split into column chunks of each layer's in_features, chunk i goes through layer i, and the
// outputs are concatenated into the logits. The default is the README's four layers (x [B, 112]
// in chunks 24 | 16 | 32 | 40 → logits [B, 80]); a golden file may describe other layers.
#pragma once

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/nn/linear.h"

namespace adalora::testing {

struct ToyLayerSpec {
  std::string path;
  int64_t in_features;
  int64_t out_features;
};

/// The four layers of the golden toy model, in order.
const std::vector<ToyLayerSpec>& toy_layer_specs();

/// The layers a golden file describes: model.modules = [{"name", "in_features", "out_features"}].
std::vector<ToyLayerSpec> toy_layer_specs_from_json(const nlohmann::json& model);

/// Creates (or finds) nested modules so that `path` ("a.b.0.c") names `leaf` inside `root`.
void register_at_path(torch::nn::Module& root, const std::string& path,
                      std::shared_ptr<torch::nn::Module> leaf);

class ToyModelImpl : public torch::nn::Module {
 public:
  explicit ToyModelImpl(torch::Dtype dtype, std::vector<ToyLayerSpec> specs = toy_layer_specs());
  /// x: [B, Σ in_features] → logits [B, Σ out_features]
  torch::Tensor forward(const torch::Tensor& x);
  /// Copies model.base_weights[<path>].{weight, bias} of a golden file into every layer.
  void load_base_weights(const nlohmann::json& base_weights);
  std::vector<ToyLayerSpec> specs;
  std::vector<nn::Linear> layers;
};
TORCH_MODULE(ToyModel);

}  // namespace adalora::testing
