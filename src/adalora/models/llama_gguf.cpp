#include "adalora/models/llama_gguf.h"

#include <regex>

#include "adalora/core/error.h"

namespace adalora::models {

LlamaGgufLayout llama_gguf_layout(const io::HfConfig& config, const std::string& what) {
  const std::string type = config.model_type();
  LlamaGgufLayout layout;
  if (type == "llama" || type == "mistral") {
    layout.architecture = "llama";  // convert_hf_to_gguf registers MistralForCausalLM as LlamaModel
    layout.permute_qk = true;
  } else if (type == "qwen2") {
    layout.architecture = "qwen2";
  } else {
    throw Error(str_cat(what, ": model_type ", type,
                        ": llama.cpp LoRA adapters are for LLaMA-family models (llama, mistral, qwen2)"));
  }
  layout.num_attention_heads = config.get<int64_t>("num_attention_heads", 32);
  // HF: null or absent → num_attention_heads for LLaMA; Mistral defaults to 8, Qwen2 to 32.
  const int64_t kv_default = type == "mistral" ? 8 : type == "qwen2" ? 32 : layout.num_attention_heads;
  layout.num_key_value_heads = config.has("num_key_value_heads")
                                   ? config.get<int64_t>("num_key_value_heads", layout.num_attention_heads)
                                   : kv_default;
  layout.tie_word_embeddings = config.get<bool>("tie_word_embeddings", false);
  layout.hidden_size = config.get<int64_t>("hidden_size", 4096);
  layout.intermediate_size = config.get<int64_t>("intermediate_size", 11008);
  layout.vocab_size = config.get<int64_t>("vocab_size", 32000);
  layout.num_hidden_layers = config.get<int64_t>("num_hidden_layers", 32);
  ADALORA_CHECK(layout.num_attention_heads > 0 && layout.hidden_size % layout.num_attention_heads == 0,
                config.source(), ": num_attention_heads: expected a divisor of hidden_size=", layout.hidden_size,
                ", got ", layout.num_attention_heads);
  return layout;
}

std::optional<std::pair<int64_t, int64_t>> LlamaGgufLayout::linear_shape(const std::string& gguf_name) const {
  const int64_t C = hidden_size, F = intermediate_size, D = hidden_size / num_attention_heads;
  if (gguf_name == "output.weight") return std::make_pair(vocab_size, C);
  static const std::regex block(R"(^blk\.(\d+)\.(\w+)\.weight$)");
  std::smatch m;
  if (!std::regex_match(gguf_name, m, block) || std::stoll(m[1].str()) >= num_hidden_layers) return std::nullopt;
  const std::string kind = m[2];
  if (kind == "attn_q") return std::make_pair(num_attention_heads * D, C);
  if (kind == "attn_k" || kind == "attn_v") return std::make_pair(num_key_value_heads * D, C);
  if (kind == "attn_output") return std::make_pair(C, num_attention_heads * D);
  if (kind == "ffn_gate" || kind == "ffn_up") return std::make_pair(F, C);
  if (kind == "ffn_down") return std::make_pair(C, F);
  return std::nullopt;
}

std::optional<std::string> llama_gguf_weight_name(const std::string& path) {
  if (path == "lm_head") return "output.weight";
  // gguf-py tensor_mapping.py: MODEL_TENSOR.ATTN_Q … FFN_DOWN for model.layers.{bid}.*
  static const std::regex layer(R"(^(?:model\.)?layers\.(\d+)\.(self_attn|mlp)\.(\w+)$)");
  std::smatch m;
  if (!std::regex_match(path, m, layer)) return std::nullopt;
  static const std::pair<const char*, const char*> names[] = {
      {"q_proj", "attn_q"},       {"k_proj", "attn_k"},   {"v_proj", "attn_v"},
      {"o_proj", "attn_output"},  {"gate_proj", "ffn_gate"}, {"up_proj", "ffn_up"},
      {"down_proj", "ffn_down"}};
  const bool attention = m[2] == "self_attn";
  for (const auto& [hf, gguf] : names) {
    const bool is_attention = std::string(gguf).rfind("attn_", 0) == 0;
    if (m[3] == hf && attention == is_attention) return str_cat("blk.", m[1].str(), ".", gguf, ".weight");
  }
  return std::nullopt;
}

torch::Tensor llama_permute_rotary_rows(const torch::Tensor& rows, int64_t heads) {
  const int64_t n = rows.size(0);
  ADALORA_CHECK(heads > 0 && n % (2 * heads) == 0, "llama rotary permutation: ", n,
                " rows: expected a multiple of 2 × heads = ", 2 * heads);
  auto shape = rows.sizes().vec();
  std::vector<int64_t> split = {heads, 2, n / heads / 2};
  split.insert(split.end(), shape.begin() + 1, shape.end());
  // reshape(heads, 2, D/2, …).swapaxes(1, 2).reshape(rows.shape)
  return rows.reshape(split).transpose(1, 2).reshape(shape).contiguous();
}

}  // namespace adalora::models
