// LLaMA, Mistral and Qwen2 decoders (LlamaModel / LlamaForCausalLM and the Mistral*/Qwen2* twins)
// as transformers v4.40.2 modeling_llama.py, modeling_mistral.py and modeling_qwen2.py, eager
// attention: RMSNorm pre-norm blocks, rotary positions (nn/rotary.h), grouped-query attention
// (num_key_value_heads; 1 = multi-query), SwiGLU MLP, optional tied LM head, KV cache.
// The three differ by config fields only: Mistral has other defaults and a sliding window, Qwen2
// has q/k/v biases. Refused, naming the field: rope_scaling types other than linear/dynamic (and
// any rope_scaling for Mistral/Qwen2, which 4.40.2 does not read), Qwen2's use_sliding_window, and
// at forward time a sequence longer than `sliding_window` (HF masks keys beyond the window; that is
// not implemented here). `pretraining_tp` > 1 is accepted: HF then splits the same matmuls into
// slices, which changes only float rounding.
//
// Legend: B batch, T new positions, S = past + T key positions, C hidden_size, H attention heads,
// G key/value heads, D head_dim = C / H, F intermediate_size, V vocab.
#include <cmath>
#include <optional>

#include "adalora/core/error.h"
#include "adalora/models/causal_mask.h"
#include "adalora/models/decoder_step.h"
#include "adalora/models/heads.h"
#include "adalora/models/make_model.h"
#include "adalora/models/model.h"
#include "adalora/nn/activations.h"
#include "adalora/nn/attention.h"
#include "adalora/nn/init.h"
#include "adalora/nn/linear.h"
#include "adalora/nn/rms_norm.h"
#include "adalora/nn/rotary.h"

namespace adalora::models {
namespace {

// ---------------------------------------------------------------------------------------------
// Config: LlamaConfig / MistralConfig / Qwen2Config fields with each class's defaults.

enum class Family { Llama, Mistral, Qwen2 };

struct Config {
  Family family = Family::Llama;
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  // resolved: null → num_attention_heads
  nn::Activation hidden_act = nn::Activation::Silu;
  int64_t max_position_embeddings = 2048;
  double initializer_range = 0.02;
  double rms_norm_eps = 1e-6;
  std::optional<int64_t> pad_token_id;
  bool tie_word_embeddings = false;
  nn::RotaryOptions rope;
  bool qkv_bias = false;  // LLaMA: attention_bias; Qwen2: true
  bool o_bias = false;    // LLaMA: attention_bias
  double attention_dropout = 0.0;
  std::optional<int64_t> sliding_window;  // Mistral, Qwen2

  int64_t head_dim() const { return hidden_size / num_attention_heads; }
};

const char* class_prefix(Family f) {
  return f == Family::Llama ? "Llama" : f == Family::Mistral ? "Mistral" : "Qwen2";
}

// LlamaConfig._rope_scaling_validation: {"type": "linear" | "dynamic", "factor": float > 1}.
void resolve_rope_scaling(const HfConfig& hf, Config& c) {
  if (!hf.has("rope_scaling") || hf.json().at("rope_scaling").is_null()) return;
  const auto& s = hf.json().at("rope_scaling");
  if (c.family != Family::Llama) {
    hf.fail("rope_scaling", str_cat("null (", class_prefix(c.family), " in transformers 4.40.2 has no RoPE scaling)"),
            s.dump());
  }
  if (!s.is_object() || s.size() != 2 || !s.contains("type") || !s.contains("factor")) {
    hf.fail("rope_scaling", "an object with exactly the fields \"type\" and \"factor\"", s.dump());
  }
  const auto& type = s.at("type");
  if (type == "linear") {
    c.rope.scaling = nn::RopeScaling::Linear;
  } else if (type == "dynamic") {
    c.rope.scaling = nn::RopeScaling::Dynamic;
  } else {
    hf.fail("rope_scaling.type", "one of linear, dynamic (the types transformers 4.40.2 has)", type.dump());
  }
  const auto& factor = s.at("factor");
  if (!factor.is_number_float() || factor.get<double>() <= 1.0) {
    hf.fail("rope_scaling.factor", "a float > 1", factor.dump());
  }
  c.rope.factor = factor.get<double>();
}

Config resolve(const HfConfig& hf, Family family) {
  Config c;
  c.family = family;
  const bool llama = family == Family::Llama, mistral = family == Family::Mistral;
  c.vocab_size = hf.get<int64_t>("vocab_size", llama || mistral ? 32000 : 151936);
  c.hidden_size = hf.get<int64_t>("hidden_size", c.hidden_size);
  c.intermediate_size = hf.get<int64_t>("intermediate_size", llama ? 11008 : mistral ? 14336 : 22016);
  c.num_hidden_layers = hf.get<int64_t>("num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = hf.get<int64_t>("num_attention_heads", c.num_attention_heads);
  // null → num_attention_heads in all three classes; the argument defaults differ.
  const int64_t kv_default = llama ? c.num_attention_heads : mistral ? 8 : 32;
  c.num_key_value_heads = hf.has("num_key_value_heads")
                              ? hf.get<int64_t>("num_key_value_heads", c.num_attention_heads)
                              : kv_default;
  c.hidden_act = nn::activation_from_name(hf.get<std::string>("hidden_act", "silu"), hf.source());
  c.max_position_embeddings =
      hf.get<int64_t>("max_position_embeddings", llama ? 2048 : mistral ? 4096 * 32 : 32768);
  c.initializer_range = hf.get<double>("initializer_range", c.initializer_range);
  c.rms_norm_eps = hf.get<double>("rms_norm_eps", c.rms_norm_eps);
  c.pad_token_id = hf.get_optional<int64_t>("pad_token_id");
  c.tie_word_embeddings = hf.get<bool>("tie_word_embeddings", false);
  c.attention_dropout = hf.get<double>("attention_dropout", 0.0);
  if (llama) {
    c.qkv_bias = c.o_bias = hf.get<bool>("attention_bias", false);
    const int64_t tp = hf.get<int64_t>("pretraining_tp", 1);
    if (tp < 1) hf.fail("pretraining_tp", "a positive integer", std::to_string(tp));
  } else {
    c.qkv_bias = family == Family::Qwen2;
    c.sliding_window = hf.has("sliding_window") ? hf.get_optional<int64_t>("sliding_window")
                                                : std::optional<int64_t>(4096);
    if (family == Family::Qwen2 && hf.get<bool>("use_sliding_window", false)) {
      hf.fail("use_sliding_window", "false (sliding-window attention is not implemented)", "true");
    }
  }

  const std::pair<const char*, int64_t> positive[] = {
      {"vocab_size", c.vocab_size},
      {"hidden_size", c.hidden_size},
      {"intermediate_size", c.intermediate_size},
      {"num_hidden_layers", c.num_hidden_layers},
      {"num_attention_heads", c.num_attention_heads},
      {"num_key_value_heads", c.num_key_value_heads},
      {"max_position_embeddings", c.max_position_embeddings}};
  for (const auto& [field, v] : positive) {
    if (v < 1) hf.fail(field, "a positive integer", std::to_string(v));
  }
  if (c.hidden_size % c.num_attention_heads != 0) {
    hf.fail("num_attention_heads", str_cat("a divisor of hidden_size=", c.hidden_size),
            std::to_string(c.num_attention_heads));
  }
  if (c.head_dim() % 2 != 0) {
    hf.fail("num_attention_heads", "a value that makes hidden_size / num_attention_heads even (rotary)",
            std::to_string(c.num_attention_heads));
  }
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    hf.fail("num_key_value_heads", str_cat("a divisor of num_attention_heads=", c.num_attention_heads),
            std::to_string(c.num_key_value_heads));
  }
  if (c.pad_token_id && (*c.pad_token_id < 0 || *c.pad_token_id >= c.vocab_size)) {
    hf.fail("pad_token_id", str_cat("a token id below vocab_size=", c.vocab_size), std::to_string(*c.pad_token_id));
  }
  if (c.sliding_window && *c.sliding_window < 1) {
    hf.fail("sliding_window", "a positive integer or null", std::to_string(*c.sliding_window));
  }
  if (c.attention_dropout < 0 || c.attention_dropout >= 1) {
    hf.fail("attention_dropout", "a probability in [0, 1)", std::to_string(c.attention_dropout));
  }
  c.rope.head_dim = c.head_dim();
  c.rope.theta = hf.get<double>("rope_theta", 10000.0);
  if (!(c.rope.theta > 0)) hf.fail("rope_theta", "a positive number", std::to_string(c.rope.theta));
  c.rope.max_position_embeddings = c.max_position_embeddings;
  resolve_rope_scaling(hf, c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Blocks.

// transformers v4.40.2 modeling_llama.py: LlamaAttention (eager), with repeat_kv for GQA
struct AttentionImpl : torch::nn::Module {
  explicit AttentionImpl(const Config& c)
      : heads(c.num_attention_heads), kv_heads(c.num_key_value_heads), head_dim(c.head_dim()),
        dropout(c.attention_dropout) {
    q_proj = register_module("q_proj", nn::Linear(c.hidden_size, heads * head_dim, c.qkv_bias));
    k_proj = register_module("k_proj", nn::Linear(c.hidden_size, kv_heads * head_dim, c.qkv_bias));
    v_proj = register_module("v_proj", nn::Linear(c.hidden_size, kv_heads * head_dim, c.qkv_bias));
    o_proj = register_module("o_proj", nn::Linear(heads * head_dim, c.hidden_size, c.o_bias));
  }

  // h: [B, T, C]; cos/sin: [B, T, D]; mask: [B|1, 1, T, S]; cache: this layer's or nullptr → [B, T, C]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KvCache::Layer* cache) {
    const int64_t B = h.size(0), T = h.size(1);
    const auto q = nn::apply_rotary(q_proj(h).view({B, T, heads, head_dim}), cos, sin);  // [B, T, H, D]
    auto k = nn::apply_rotary(k_proj(h).view({B, T, kv_heads, head_dim}), cos, sin);     // [B, T, G, D]
    auto v = v_proj(h).view({B, T, kv_heads, head_dim});
    if (cache != nullptr) {  // the cache holds rotated keys [B, G, S, D]
      const auto kv = append_to_cache(*cache, k.transpose(1, 2), v.transpose(1, 2));
      k = kv.first.transpose(1, 2);  // [B, S, G, D]
      v = kv.second.transpose(1, 2);
    }
    if (kv_heads != heads) {  // repeat_kv: query head i reads key/value head i / (H / G)
      const int64_t S = k.size(1), rep = heads / kv_heads;
      k = k.unsqueeze(3).expand({B, S, kv_heads, rep, head_dim}).reshape({B, S, heads, head_dim});
      v = v.unsqueeze(3).expand({B, S, kv_heads, rep, head_dim}).reshape({B, S, heads, head_dim});
    }
    // HF upcasts the softmax to float32 for half-precision weights.
    const double divisor = std::sqrt(static_cast<double>(head_dim));
    const auto context = nn::multi_head_attention(q, k, v, mask, divisor, dropout, is_training(),
                                                  /*softmax_in_float32=*/true);  // [B, T, H·D]
    return o_proj(context);
  }

  int64_t heads, kv_heads, head_dim;
  double dropout;
  nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(Attention);

// transformers v4.40.2 modeling_llama.py: LlamaMLP (SwiGLU: down(act(gate(x)) · up(x)))
struct MLPImpl : torch::nn::Module {
  explicit MLPImpl(const Config& c) : act(c.hidden_act) {
    gate_proj = register_module("gate_proj", nn::Linear(c.hidden_size, c.intermediate_size, false));
    up_proj = register_module("up_proj", nn::Linear(c.hidden_size, c.intermediate_size, false));
    down_proj = register_module("down_proj", nn::Linear(c.intermediate_size, c.hidden_size, false));
  }
  // x: [B, T, C] → [B, T, C]
  torch::Tensor forward(const torch::Tensor& x) {
    return down_proj(nn::apply_activation(act, gate_proj(x)) * up_proj(x));
  }
  nn::Activation act;
  nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(MLP);

// transformers v4.40.2 modeling_llama.py: LlamaDecoderLayer (pre-norm)
struct DecoderLayerImpl : torch::nn::Module {
  explicit DecoderLayerImpl(const Config& c) {
    self_attn = register_module("self_attn", Attention(c));
    mlp = register_module("mlp", MLP(c));
    input_layernorm = register_module("input_layernorm", nn::RMSNorm(c.hidden_size, c.rms_norm_eps));
    post_attention_layernorm =
        register_module("post_attention_layernorm", nn::RMSNorm(c.hidden_size, c.rms_norm_eps));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KvCache::Layer* cache) {
    const auto a = h + self_attn->forward(input_layernorm(h), cos, sin, mask, cache);
    return a + mlp(post_attention_layernorm(a));
  }
  Attention self_attn{nullptr};
  MLP mlp{nullptr};
  nn::RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// transformers v4.40.2 modeling_llama.py: LlamaModel (embed_tokens, layers.{i}, norm)
struct BodyImpl : torch::nn::Module {
  explicit BodyImpl(const Config& c) : c_(c) {
    auto emb = torch::nn::EmbeddingOptions(c.vocab_size, c.hidden_size);
    if (c.pad_token_id) emb.padding_idx(*c.pad_token_id);
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(emb));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(DecoderLayer(c));
    norm = register_module("norm", nn::RMSNorm(c.hidden_size, c.rms_norm_eps));
  }

  void forward(const ModelInputs& in, ModelOutputs& out) {
    const std::string name = str_cat(class_prefix(c_.family), "Model");
    const auto step = prepare_decoder_step(in, c_.num_hidden_layers, name);
    const int64_t T = in.input_ids.size(1);
    if (c_.sliding_window && step.past + T > *c_.sliding_window) {
      throw Error(str_cat(name, ": ", step.past + T, " positions (", step.past, " cached + ", T,
                          " new) exceed the config's sliding_window=", *c_.sliding_window,
                          " (sliding-window attention is not implemented)"));
    }
    if (in.token_type_ids.defined()) {
      ADALORA_CHECK(!in.token_type_ids.ne(0).any().item<bool>(), name,
                    ": token_type_ids: expected none or all zeros (the model has no token types)");
    }
    auto x = embed_tokens(in.input_ids);  // [B, T, C]
    const auto [cos, sin] = nn::rope_cos_sin(c_.rope, step.position_ids.to(x.device()), x.scalar_type());
    const auto mask = causal_attention_mask(in.attention_mask, T, step.past, x.scalar_type(),
                                            MaskCombine::Clamp, x.device());  // [B|1, 1, T, S]
    for (size_t i = 0; i < layers->size(); ++i) {
      if (in.output_hidden_states) out.hidden_states.push_back(x);
      KvCache::Layer* layer_cache = in.cache ? &in.cache->self_attention[i] : nullptr;
      x = layers[i]->as<DecoderLayerImpl>()->forward(x, cos, sin, mask, layer_cache);
    }
    x = norm(x);
    if (in.output_hidden_states) out.hidden_states.push_back(x);  // HF: the last entry is after norm
    out.last_hidden_state = x;
  }

  Config c_;
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  nn::RMSNorm norm{nullptr};
};
TORCH_MODULE(Body);

// ---------------------------------------------------------------------------------------------
// The model: {Llama, Mistral, Qwen2}Model (head None) and *ForCausalLM (head CausalLM).

class LlamaFamilyModel : public Model {
 public:
  LlamaFamilyModel(HfConfig hf, Config c, TaskHead head)
      : hf_(std::move(hf)), c_(std::move(c)), head_(head) {
    if (head != TaskHead::None && head != TaskHead::CausalLM) {
      throw Error(str_cat(hf_.source(), ": ", class_prefix(c_.family), " has no ", task_head_name(head),
                          " head here (supported: none, causal_lm)"));
    }
    body_ = Body(c_);
    if (head == TaskHead::None) {
      for (const auto& child : body_->named_children()) register_module(child.key(), child.value());
    } else {
      register_module("model", body_);
      if (!c_.tie_word_embeddings) {
        lm_head_ = register_module("lm_head", nn::Linear(c_.hidden_size, c_.vocab_size, false));
      }
    }
  }

  ModelOutputs forward(const ModelInputs& in) override {
    ModelOutputs out;
    body_->forward(in, out);
    if (head_ == TaskHead::CausalLM) {
      const auto& h = out.last_hidden_state;
      // HF returns float32 logits whatever the compute dtype (`logits = logits.float()`).
      out.logits = (lm_head_ ? lm_head_(h) : torch::linear(h, body_->embed_tokens->weight))
                       .to(torch::kFloat32);  // [B, T, V]
      if (in.labels.defined()) out.loss = causal_lm_loss(out.logits, in.labels);
    }
    return out;
  }

  const HfConfig& config() const override { return hf_; }
  TaskHead head() const override { return head_; }
  std::string hf_class() const override {
    return std::string(class_prefix(c_.family)) + (head_ == TaskHead::CausalLM ? "ForCausalLM" : "Model");
  }
  std::string base_model_prefix() const override { return "model"; }
  std::vector<std::string> other_head_prefixes() const override {
    return {"lm_head.", "score.", "qa_outputs."};
  }
  std::vector<std::string> ignorable_key_suffixes() const override {
    // Rotary buffers that checkpoints of transformers < 4.31 saved (persistent then).
    return {".rotary_emb.inv_freq", ".rotary_emb.cos_cached", ".rotary_emb.sin_cached"};
  }
  void init_weights() override { nn::init_hf_weights(*this, c_.initializer_range); }

 private:
  HfConfig hf_;
  Config c_;
  TaskHead head_;
  Body body_{nullptr};
  nn::Linear lm_head_{nullptr};
};

}  // namespace

ModelPtr build_llama(const HfConfig& config, TaskHead head) {
  return make_model<LlamaFamilyModel>(config, resolve(config, Family::Llama), head);
}
ModelPtr build_mistral(const HfConfig& config, TaskHead head) {
  return make_model<LlamaFamilyModel>(config, resolve(config, Family::Mistral), head);
}
ModelPtr build_qwen2(const HfConfig& config, TaskHead head) {
  return make_model<LlamaFamilyModel>(config, resolve(config, Family::Qwen2), head);
}

}  // namespace adalora::models
