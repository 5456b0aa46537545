// How llama.cpp names and lays out the weights of a LLaMA-family model (LLaMA, Mistral, Qwen2), as
// its convert_hf_to_gguf.py writes them (conversion/llama.py LlamaModel, conversion/qwen.py
// Qwen2Model, gguf-py tensor_mapping.py): our HF module paths → GGUF tensor names, and the rotary
// row permutation of q_proj / k_proj.
//
// Why a permutation: HF's LLaMA rotates dimension i with i + D/2 of each head (rotate_half);
// llama.cpp's LLaMA rope rotates neighbours 2i, 2i + 1. convert_hf_to_gguf (LlamaModel.permute)
// reorders the output rows of q_proj / k_proj per head so that the same attention results:
//   new row h·D + 2i + j  =  old row h·D + j·D/2 + i      (i < D/2, j ∈ {0, 1}, h a head).
// A LoRA update ΔW = B·A of these matrices is permuted with them: only B's rows move.
// Qwen2 uses llama.cpp's NEOX rope (the HF order) and is not permuted; Mistral converts as LLaMA.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>

#include "adalora/io/hf_config.h"

namespace adalora::models {

/// What llama.cpp needs to know of a LLaMA-family config.json.
struct LlamaGgufLayout {
  std::string architecture;  ///< GGUF general.architecture: "llama" (LLaMA, Mistral) or "qwen2"
  bool permute_qk = false;   ///< convert_hf_to_gguf's LlamaModel.permute applies
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  bool tie_word_embeddings = false;
  int64_t hidden_size = 0, intermediate_size = 0, vocab_size = 0, num_hidden_layers = 0;

  /// [out, in] of the linear layer whose GGUF weight is `gguf_name` ("blk.3.attn_k.weight"), from
  /// the config; nullopt for another name or a block index ≥ num_hidden_layers.
  std::optional<std::pair<int64_t, int64_t>> linear_shape(const std::string& gguf_name) const;
};

/// Reads model_type and the head counts of `config`. Error for a model_type llama.cpp's LLaMA
/// path does not take: "<what>: model_type bert: llama.cpp LoRA adapters are for LLaMA-family
/// models (llama, mistral, qwen2)" with `what` naming the caller (e.g. "--to gguf").
LlamaGgufLayout llama_gguf_layout(const io::HfConfig& config, const std::string& what);

/// GGUF name of the weight of the linear layer at HF module path `path` ("model.layers.3.self_attn.q_proj"
/// or, for a model without head, "layers.3.self_attn.q_proj") → "blk.3.attn_q.weight"; "lm_head" →
/// "output.weight". nullopt for a path that is not one of those linear layers.
std::optional<std::string> llama_gguf_weight_name(const std::string& path);

/// `rows` [heads·D, …] with convert_hf_to_gguf's rotary permutation applied to dim 0 (LlamaModel.permute).
torch::Tensor llama_permute_rotary_rows(const torch::Tensor& rows, int64_t heads);

}  // namespace adalora::models
