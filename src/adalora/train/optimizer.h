// AdamW with HF Trainer's two parameter groups: weight decay on weights, none on biases and
// normalisation parameters; only parameters that require gradients.
//
// Mirrors HF transformers `Trainer.create_optimizer` (v4.x): group 0 = decayed parameters with
// `weight_decay`, group 1 = the rest with 0, both `torch.optim.AdamW(lr, betas, eps)`. HF decides
// "no decay" by module type (ALL_LAYERNORM_LAYERS) plus the substring "bias"; LibTorch modules of
// our models and of users carry no such type list, so we decide by name (the rule of
// `is_no_decay_parameter`), which equals HF's result on BERT/RoBERTa/DeBERTa/BART/GPT-2/LLaMA
// naming. Group order and membership order are deterministic (named_parameters() order), so an
// optimizer state saved by one run loads into another.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace adalora::train {

/// AdamW hyper-parameters; defaults are HF TrainingArguments' defaults.
struct AdamWConfig {
  double learning_rate = 5e-5;  ///< initial lr of both groups (the schedule then sets it)
  double weight_decay = 0.0;    ///< decoupled decay of group 0
  double beta1 = 0.9;           ///< adam_beta1
  double beta2 = 0.999;         ///< adam_beta2
  double eps = 1e-8;            ///< adam_epsilon
};

/// The trainable parameters split as HF does, with their names for logs and tests.
struct ParameterGroups {
  std::vector<std::string> decay_names;  ///< group 0
  std::vector<torch::Tensor> decay;
  std::vector<std::string> no_decay_names;  ///< group 1
  std::vector<torch::Tensor> no_decay;
};

/// True when `name` (a named_parameters() key) gets no weight decay: it contains "bias", or the
/// module that owns it (the path segment before the last '.') contains "norm" in any case
/// (LayerNorm, layer_norm, layernorm, final_layer_norm, input_layernorm, RMSNorm "norm") or starts
/// with "ln_" (GPT-2's ln_1, ln_2, ln_f).
bool is_no_decay_parameter(const std::string& name);

/// Trainable parameters of `model` (requires_grad) split into decay / no-decay groups.
ParameterGroups split_parameter_groups(const torch::nn::Module& model);

/// AdamW over `model`'s trainable parameters with the two groups (group 0 decayed, group 1 not;
/// both always present, possibly empty). Throws adalora::Error when nothing is trainable.
std::unique_ptr<torch::optim::AdamW> build_adamw(const torch::nn::Module& model,
                                                 const AdamWConfig& config);

/// Sets the learning rate of every parameter group of `optimizer`.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace adalora::train
