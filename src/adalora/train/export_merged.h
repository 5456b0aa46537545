// `adalora export --to merged`: the base model with a trained adapter merged into its weights,
// written as a HuggingFace model folder that needs no PEFT to serve (PEFT's merge_and_unload +
// save_pretrained): config.json (architecture, head, num_labels, id2label / label2id),
// model.safetensors in the dtype asked for — or shards model-0000i-of-0000n.safetensors with
// model.safetensors.index.json above a size, as HF's save_pretrained(max_shard_size=…) — and the
// tokenizer files of the base.
#pragma once

#include <torch/torch.h>

#include <string>

#include "adalora/train/evaluate.h"

namespace adalora::train {

struct MergedExportOptions {
  torch::ScalarType dtype = torch::kFloat32;  ///< F32, F16 or BF16
  int64_t max_shard_bytes = 0;                ///< > 0: shard so that no file holds more tensor bytes
};

/// What the export wrote.
struct MergedExportSummary {
  int64_t tensors = 0;
  int64_t bytes = 0;     ///< tensor bytes in all files
  int64_t shards = 1;
  std::vector<std::string> tokenizer_files;  ///< copied from the base / tokenizer folder
};

/// Loads the classifier of `config` (base + head + adapter, as `adalora eval` does), merges the
/// adapter and writes the merged model to `out_dir`. Errors name the file / option.
MergedExportSummary export_merged(const InferenceConfig& config, const std::string& out_dir,
                                  const MergedExportOptions& options = {});

/// "f32" / "float32", "f16" / "float16", "bf16" / "bfloat16" → dtype; Error listing them otherwise.
torch::ScalarType export_dtype_from_name(const std::string& name);
/// HF's max_shard_size: bytes, or a number with KB/MB/GB (10³ⁿ) or KiB/MiB/GiB (2¹⁰ⁿ).
int64_t parse_size(const std::string& text);

}  // namespace adalora::train
