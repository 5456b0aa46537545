// `adalora export --to gguf`: a LoRA adapter as llama.cpp loads it (`--lora FILE.gguf`), in the
// layout llama.cpp's convert_lora_to_gguf.py writes:
//   metadata  general.architecture ("llama" | "qwen2"), general.type = "adapter",
//             adapter.type = "lora", adapter.lora.alpha (f32), general.file_type,
//             general.quantization_version
//   tensors   "<base tensor>.lora_a" = PEFT's lora_A [r, in]  (ggml ne [in, r])
//             "<base tensor>.lora_b" = PEFT's lora_B [out, r] (ggml ne [r, out])
//             e.g. blk.0.attn_q.weight.lora_a; q/k lora_b rows permuted for llama.cpp's rope
//             (models/llama_gguf.h).
//
// llama.cpp scales each module by adapter.lora.alpha / r_k (r_k = that module's rank; alpha = 0
// means 1) with one alpha for the whole file, whereas PEFT allows per-module alphas (alpha_pattern)
// — and the AdaLoRA → LoRA export uses them. A module whose PEFT scaling α_k / r_k differs from
// llama.cpp's alpha / r_k has the ratio folded into its lora_b (in float64, then rounded once), so
// every module's update B·A·scale is PEFT's. Per-module ranks need nothing: llama.cpp reads r_k
// from each tensor.
//
// AdaLoRA adapters go through export_adalora_as_lora first (λ folded into B, per-module ranks).
#pragma once

#include <string>

#include "adalora/io/gguf_writer.h"

namespace adalora::train {

struct GgufExportOptions {
  io::GgmlType type = io::GgmlType::F32;  ///< F32 or F16 for lora_a / lora_b
};

struct GgufExportSummary {
  std::string architecture;  ///< general.architecture written
  int64_t modules = 0;
  int64_t max_rank = 0;
  int64_t rescaled_modules = 0;  ///< modules whose α_k / alpha ratio was folded into lora_b
  double alpha = 0;              ///< adapter.lora.alpha written
};

/// Reads the LoRA or AdaLoRA adapter folder `adapter_dir` and the base model's config.json
/// (`base_config`: the file or its folder) and writes the GGUF adapter to `out_file` atomically.
/// Errors name the file and key: a model_type other than llama / mistral / qwen2, a module
/// llama.cpp does not adapt (embeddings, a tied lm_head), modules_to_save tensors (llama.cpp
/// loads only lora_a / lora_b: use --to merged), shapes that do not fit the base, use_dora /
/// use_rslora.
GgufExportSummary export_adapter_as_gguf(const std::string& adapter_dir, const std::string& base_config,
                                         const std::string& out_file, const GgufExportOptions& options = {});

}  // namespace adalora::train
