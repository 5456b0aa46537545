// AdaLoRA → plain LoRA: the adapter format vLLM, LoRAX, TGI and PEFT's LoraConfig serve.
//
// AdaLoRA's update of one module is ΔW = B · diag(λ) · A · s with s = α / (init_r + 1e-5) (PEFT's
// SVDLinear divides by ranknum + 1e-5; ranknum stays init_r after pruning), on the r_k kept
// triplets. LoRA's is ΔW = B' · A' · α_k / r_k. We write A' = A [r_k, in], B' = B · diag(λ)
// [out, r_k] — λ folded into B — and α_k = r_k · s, so α_k / r_k = s exactly as AdaLoRA scales.
//
// Why fold λ into B rather than split √|λ| to each side: the fold is one rounding per element of
// B and needs no sign handling (λ may be negative), A keeps P's near-orthonormal rows, and the
// result equals AdaLoRA's product in float64 to the last bits; a √λ split adds a square root and
// a sign per triplet for no gain at inference. (Continuing LoRA training from the export is the
// one place a balanced split might help; then re-balance before training.)
//
// Each module keeps its own rank through PEFT's rank_pattern / alpha_pattern (keys = full module
// paths, which PEFT matches with its (.*\.)?(key)$ rule); modules pruned to rank 0 are dropped
// from target_modules. With `uniform_rank` every module gets that rank, padded with zero rows of
// A' and zero columns of B' (the same ΔW), and a single lora_alpha = uniform_rank · s — for
// servers that read one r / lora_alpha only.
#pragma once

#include <string>

namespace adalora::peft {

struct LoraExportOptions {
  /// 0: per-module kept ranks with rank_pattern / alpha_pattern. > 0: every module at this rank
  /// (Error naming the module when one keeps more triplets).
  int64_t uniform_rank = 0;
  /// > 0: refuse an export whose largest rank exceeds it (a server's max LoRA rank, e.g. vLLM's
  /// --max-lora-rank).
  int64_t max_rank = 0;
};

/// What the export wrote (for the CLI's summary).
struct LoraExportSummary {
  int64_t modules = 0;          ///< modules written
  int64_t dropped_modules = 0;  ///< modules at rank 0, not written
  int64_t max_rank = 0;
  int64_t total_rank = 0;       ///< Σ r_k (before padding)
};

/// Reads the AdaLoRA adapter folder `adalora_dir` (adapter_config.json with peft_type ADALORA +
/// adapter_model.safetensors) and writes the equivalent LoRA adapter folder to `out_dir`
/// (modules_to_save tensors, task_type and base_model_name_or_path carried over). Errors name the
/// file and key: not an AdaLoRA folder, missing tensors, inconsistent shapes, a rank limit exceeded.
LoraExportSummary export_adalora_as_lora(const std::string& adalora_dir, const std::string& out_dir,
                                         const LoraExportOptions& options = {});

}  // namespace adalora::peft
