// Bottleneck adapters, the paper's "Adapter^H" (Houlsby et al., 2019) and "Adapter^P" (Pfeiffer
// et al., 2021) baselines (Tables 1–3):
//
//   h = y + W_up · f(W_down · y + b_down) + b_up      y = the sub-layer's output projection [..., H]
//   W_down [d, H], W_up [H, d], d = bottleneck_size, f = non_linearity
//
// Houlsby puts one after the attention output projection and one after the FFN output projection
// of every layer; Pfeiffer only after the FFN output. The adapter is attached to those nn::Linear
// layers (attention.output.dense / output.dense in BERT and DeBERTa, c_proj in GPT-2, o_proj /
// down_proj in LLaMA, out_proj / fc2 in BART) and transforms their output, i.e. after the
// projection and before the model's dropout, residual add and LayerNorm — Houlsby's placement up
// to the dropout (theirs follows it; identical in evaluation). No model file changes.
//
// Initialisation: W_down ~ N(0, 0.01²) (Houlsby's near-identity std), W_up = 0, biases 0, so at
// init the adapted model is exactly the base model (as LoRA's B = 0).
//
// Saved format (not a PEFT method; our own, documented in docs/formats.md):
//   adapter_config.json  {"peft_type": "HOULSBY" | "PFEIFFER", "bottleneck_size": d,
//                         "non_linearity": "swish", "target_modules": [...], "exclude_modules",
//                         "layers_to_transform", "layers_pattern", "modules_to_save",
//                         "task_type", "base_model_name_or_path", "inference_mode": true}
//   adapter_model.safetensors  base_model.model.<path>.adapter_down.{weight [d, H], bias [d]},
//                              base_model.model.<path>.adapter_up.{weight [H, d], bias [H]},
//                              plus the modules_to_save tensors under their model names.
// The adapter is not linear in the input, so it cannot be merged into the base weight: merge()
// is a no-op and delta_weight() throws.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/nn/activations.h"
#include "adalora/nn/adapter.h"
#include "adalora/peft/method.h"
#include "adalora/peft/targets.h"

namespace adalora::peft {

enum class BottleneckPlacement { Houlsby, Pfeiffer };

struct BottleneckConfig {
  BottleneckPlacement placement = BottleneckPlacement::Houlsby;
  /// d; from_json's default is the paper's 1.2M level (Table 7): Houlsby 32, Pfeiffer 64. Tables
  /// 7, 9, 12: Houlsby d ∈ {4, 8, 16, 32}, Pfeiffer 2d, for budgets 0.08–0.65 % of the base model.
  int64_t bottleneck_size = 32;
  /// HF activation name; Houlsby's default "swish", Pfeiffer's "relu" (adapter-transformers).
  std::string non_linearity = "swish";
  /// Default: the attention and FFN output projections of every supported architecture
  /// (Pfeiffer: FFN only), see default_bottleneck_targets.
  TargetSpec targets;
  std::vector<std::string> modules_to_save;
  std::string task_type;                ///< "" = null
  std::string base_model_name_or_path;  ///< "" = null

  void validate(const std::string& where) const;
  io::Json to_json() const;
  /// Reads run keys (bottleneck_size, non_linearity, target keys, modules_to_save) or a saved
  /// adapter_config.json; missing keys take the placement's defaults. Validated.
  static BottleneckConfig from_json(const io::Json& json, const std::string& source, BottleneckPlacement placement);
};

/// The default TargetSpec of a placement (names and excludes over all architectures).
TargetSpec default_bottleneck_targets(BottleneckPlacement placement);
const char* to_string(BottleneckPlacement placement);  ///< "houlsby" / "pfeiffer"

class BottleneckAdapter : public nn::Adapter {
 public:
  BottleneckAdapter(int64_t hidden_size, const BottleneckConfig& config, torch::Dtype dtype);
  /// y_base [..., H] → y_base + up(f(down(y_base))) [..., H]; x is not used.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) override;
  /// Throws Error: a bottleneck adapter has no weight-space update.
  torch::Tensor delta_weight() const override;
  const char* method() const override { return method_; }

  torch::nn::Linear adapter_down{nullptr};  ///< weight [d, H], bias [d]
  torch::nn::Linear adapter_up{nullptr};    ///< weight [H, d], bias [H]

 private:
  nn::Activation activation_;
  const char* method_;
};

/// Attaches a bottleneck adapter to every target layer, freezing everything but the adapters
/// and modules_to_save.
MethodPtr attach_bottleneck(torch::nn::Module& model, const BottleneckConfig& config);

/// The registry's makers (run keys as BottleneckConfig::from_json).
MethodPtr make_houlsby(torch::nn::Module& model, const io::Json& config, int64_t total_step);
MethodPtr make_pfeiffer(torch::nn::Module& model, const io::Json& config, int64_t total_step);

/// Loads a folder written by save() (either placement). Every tensor is checked (present, shape,
/// finite, none left over) before the model is touched; errors name the file and tensor.
MethodPtr load_bottleneck(torch::nn::Module& model, const std::string& dir);

}  // namespace adalora::peft
