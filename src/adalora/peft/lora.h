// LoRA (Hu et al., 2021) as HuggingFace PEFT implements it: y = y_base + B(A(dropout(x))) · α/r,
// A [r, in] initialised like nn.Linear (kaiming-uniform, a = √5), B [out, r] zeros. Parameters are
// registered as child modules `lora_A` / `lora_B` with a `weight`, so keys are PEFT's
// "<path>.lora_A.weight". The baseline the paper compares AdaLoRA with at equal budget.
#pragma once

#include <torch/torch.h>

#include <map>
#include <utility>

#include "adalora/nn/adapter.h"
#include "adalora/nn/dropout.h"
#include "adalora/peft/method.h"
#include "adalora/peft/targets.h"

namespace adalora::peft {

struct LoraConfig {
  int64_t r = 8;
  double lora_alpha = 8;         ///< scaling = lora_alpha / r
  double lora_dropout = 0.0;
  TargetSpec targets;
  std::vector<std::string> modules_to_save;  ///< trained in full and saved (e.g. the classifier)
  /// Base weights stored [in, out] (GPT-2 Conv1D). attach_lora sets it when a target layer is
  /// nn::Linear with fan_in_fan_out, as PEFT does for Conv1D; the adapter tensors are the same.
  bool fan_in_fan_out = false;
  /// PEFT's per-module r / lora_alpha: key = a regex matched against the end of the module path
  /// (`(.*\.)?(key)$`, PEFT's get_pattern_key; the first key in sorted order wins when several match).
  std::map<std::string, int64_t> rank_pattern;
  std::map<std::string, double> alpha_pattern;
  std::string task_type;                ///< PEFT task_type ("" = null)
  std::string base_model_name_or_path;  ///< "" = null

  /// r and lora_alpha of the module at `path` after rank_pattern / alpha_pattern.
  std::pair<int64_t, double> rank_and_alpha(const std::string& path) const;
  void validate() const;
  io::Json to_peft_json() const;
  static LoraConfig from_peft_json(const io::Json& json, const std::string& source);
};

class LoraAdapter : public nn::Adapter {
 public:
  LoraAdapter(int64_t in_features, int64_t out_features, const LoraConfig& config, torch::Dtype dtype);
  /// y_base + scaling · B A x, fused into one addmm (same products; scaling rounded into the GEMM).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y_base) override;
  /// PEFT's literal order `y + lora_B(lora_A(dropout(x))) * scaling`, kept to test the fused path.
  torch::Tensor forward_reference(const torch::Tensor& x, const torch::Tensor& y_base);
  /// {A, B, α/r, dropout(x) while training with dropout}: the layer's one-node path
  /// (nn/low_rank_linear.h), the same products as forward(); nullopt for a half-precision base.
  std::optional<nn::LowRankUpdate> low_rank_update(const torch::Tensor& x) override;
  torch::Tensor delta_weight() const override;  // B A · α/r: [out, in]
  const char* method() const override { return "lora"; }

  torch::nn::Linear lora_A{nullptr};  ///< weight [r, in]
  torch::nn::Linear lora_B{nullptr};  ///< weight [out, r]
  double scaling = 1.0;

 private:
  nn::Dropout dropout_{nullptr};
};

/// Attaches LoRA to the target layers of `model`, freezing everything but the adapters and
/// modules_to_save; save() writes PEFT's LoRA adapter folder.
MethodPtr attach_lora(torch::nn::Module& model, const LoraConfig& config);

/// The registry's maker: LoraConfig::from_peft_json(config), then attach_lora.
MethodPtr make_lora(torch::nn::Module& model, const io::Json& config, int64_t total_step);

/// Attaches LoRA as described by a PEFT LoRA adapter folder (adapter_config.json with
/// peft_type "LORA" + adapter_model.safetensors, keys "base_model.model.<path>.lora_A.weight" and
/// the modules_to_save tensors "base_model.model.<path>.<name>") and loads its tensors. `trainable`
/// keeps them trainable. Errors name the file and field / tensor: a peft_type other than LORA,
/// options this LoRA does not implement (use_dora, use_rslora, bias != "none"), a rank_pattern /
/// alpha_pattern key that matches no adapted module, missing or mis-shaped tensors, tensors
/// nothing would load. Everything is checked before the model is touched.
MethodPtr load_lora(torch::nn::Module& model, const std::string& dir, bool trainable = false);

}  // namespace adalora::peft
