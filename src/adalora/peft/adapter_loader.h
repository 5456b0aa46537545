// Loading and describing any adapter folder this library writes or PEFT writes, by what the folder
// holds: adapter_config.json's "peft_type", or a model.safetensors of full fine-tuning / BitFit
// (peft_type ""). The method registry (peft/registry.h) names the loader of each peft_type; the
// formats themselves belong to the methods.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/peft/method.h"

namespace adalora::peft {

/// Loads the adapter folder `dir` onto `model` (adapters attached, stored tensors copied in,
/// everything frozen). Errors name the file: no adapter files, an unsupported peft_type (listing
/// the supported ones), and every error of the method's own loader.
MethodPtr load_adapter(torch::nn::Module& model, const std::string& dir);

/// One adapted matrix of an adapter folder.
struct AdaptedModule {
  std::string path;  ///< module path relative to the model, e.g. "encoder.layer.0.attention.query"
  int64_t rank = 0;  ///< AdaLoRA: kept triplets (rank_pattern); LoRA: r
  int64_t init_r = 0;  ///< AdaLoRA: init_r; LoRA: r
  int64_t in_features = 0;
  int64_t out_features = 0;
  int64_t stored_parameters = 0;  ///< elements of its stored tensors
};

/// What an adapter folder holds, read from its files alone (no model needed).
struct AdapterSummary {
  std::string dir;
  std::string method;  ///< the registry name of the loader: "adalora", "lora", "full", "houlsby", …
  std::vector<AdaptedModule>
      modules;  ///< adapted matrices in stored-key order (none for full/BitFit)
  std::vector<std::string> modules_to_save;
  int64_t stored_tensors = 0;
  int64_t stored_parameters = 0;  ///< elements of every stored tensor
  int64_t modules_to_save_parameters = 0;
  /// What PEFT's print_trainable_parameters reports while training this configuration: AdaLoRA
  /// trains every matrix at init_r (Σ init_r·(in + out + 1)), LoRA Σ r·(in + out); plus
  /// modules_to_save. Full fine-tuning / BitFit: the stored tensors.
  int64_t peft_trainable_parameters = 0;
  int64_t total_rank = 0;   ///< Σ rank (AdaLoRA / LoRA)
  int64_t budget_rank = 0;  ///< Σ init_r
};

/// Reads `dir`'s files and summarises them. Errors as load_adapter.
AdapterSummary describe_adapter(const std::string& dir);

}  // namespace adalora::peft
