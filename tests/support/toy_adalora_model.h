// The toy model of shared/golden/adalora (its README): four nn::Linear layers at PEFT-style paths;
// x [B, 112] is split into column chunks 24 | 16 | 32 | 40, chunk i goes through layer i, and the
// outputs (16, 24, 32, 8 columns) are concatenated into logits [B, 80].
#pragma once

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

/// Creates (or finds) nested modules so that `path` ("a.b.0.c") names `leaf` inside `root`.
void register_at_path(torch::nn::Module& root, const std::string& path,
                      std::shared_ptr<torch::nn::Module> leaf);

class ToyModelImpl : public torch::nn::Module {
 public:
  explicit ToyModelImpl(torch::Dtype dtype);
  /// x: [B, 112] → logits [B, 80]
  torch::Tensor forward(const torch::Tensor& x);
  std::vector<nn::Linear> layers;
};
TORCH_MODULE(ToyModel);

}  // namespace adalora::testing
