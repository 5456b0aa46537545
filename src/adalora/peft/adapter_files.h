// The two files of a PEFT adapter folder, as HuggingFace PEFT's save_pretrained writes them:
// `adapter_config.json` and `adapter_model.safetensors` (keys "base_model.model.<module path>.<name>",
// metadata {"format": "pt"}). Method-specific content (which tensors, pruning) is the method's.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"

namespace adalora::peft {

inline constexpr const char* kAdapterConfigFile = "adapter_config.json";
inline constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
inline constexpr const char* kPeftKeyPrefix = "base_model.model.";

/// Writes both files into `dir` (created if missing), each atomically. Tensor names are module
/// paths relative to the model ("encoder.layer.0.attention.query.lora_A"); the PEFT prefix is added.
void write_adapter_files(const std::string& dir, const io::Json& config,
                         const std::vector<std::pair<std::string, torch::Tensor>>& tensors);

/// An adapter folder opened for reading.
struct AdapterFiles {
  std::string dir;
  io::Json config;
  io::SafetensorsFile weights;

  /// The tensor stored for `name` (without the PEFT prefix); Error naming file and key if absent
  /// or if it holds NaN or inf (such an adapter would predict garbage and exit 0).
  torch::Tensor load(const std::string& name, torch::ScalarType dtype) const;
  bool contains(const std::string& name) const;
};

/// Throws Error "<file>: tensor \"<key>\": expected finite values, got NaN/inf at index i".
void check_finite(const torch::Tensor& t, const std::string& file, const std::string& key);

/// Opens `dir`; Error naming the missing file (adapter_model.bin → says it is not read).
AdapterFiles read_adapter_files(const std::string& dir);

}  // namespace adalora::peft
