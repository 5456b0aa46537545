// GPT-2 (GPT2Model, GPT2LMHeadModel) as transformers v4.40.2 modeling_gpt2.py, eager attention:
// learned absolute positions, pre-LN blocks, final ln_f, LM head tied to wte (no bias), KV cache.
// Conv1D layers (c_attn, c_proj, c_fc) store their weight [in, out] and compute x @ W + b: they are
// nn::Linear with fan_in_fan_out, the layout PEFT adapts with `fan_in_fan_out=True`.
// Not supported (error naming the field): cross-attention (`add_cross_attention`),
// `reorder_and_upcast_attn` (a mixed-precision rewrite of the same attention), and positions
// beyond `n_positions` (HF's causal-mask buffer ends there).
//
// Legend: B batch, T new positions, S = past + T key positions, C n_embd, H n_head, D C / H, V vocab.
#include <cmath>

#include "adalora/core/error.h"
#include "adalora/models/causal_mask.h"
#include "adalora/models/decoder_step.h"
#include "adalora/models/heads.h"
#include "adalora/models/make_model.h"
#include "adalora/models/model.h"
#include "adalora/nn/activations.h"
#include "adalora/nn/attention.h"
#include "adalora/nn/dropout.h"
#include "adalora/nn/init.h"
#include "adalora/nn/linear.h"

namespace adalora::models {
namespace {

// ---------------------------------------------------------------------------------------------
// Config: GPT2Config fields with HF's class defaults (and its attribute_map aliases).

struct Config {
  int64_t vocab_size = 50257;
  int64_t n_positions = 1024;
  int64_t n_embd = 768;
  int64_t n_layer = 12;
  int64_t n_head = 12;
  int64_t n_inner = 0;  // resolved: null → 4 · n_embd
  nn::Activation activation_function = nn::Activation::GeluNew;
  double resid_pdrop = 0.1;
  double embd_pdrop = 0.1;
  double attn_pdrop = 0.1;
  double layer_norm_epsilon = 1e-5;
  double initializer_range = 0.02;
  bool scale_attn_weights = true;
  bool scale_attn_by_inverse_layer_idx = false;
};

// GPT2Config.attribute_map: a `hidden_size` key in config.json sets n_embd, and so on.
int64_t get_aliased(const HfConfig& hf, const char* field, const char* alias, int64_t fallback) {
  return hf.has(alias) ? hf.get<int64_t>(alias, fallback) : hf.get<int64_t>(field, fallback);
}

Config resolve(const HfConfig& hf) {
  Config c;
  c.vocab_size = hf.get<int64_t>("vocab_size", c.vocab_size);
  c.n_positions = get_aliased(hf, "n_positions", "max_position_embeddings", c.n_positions);
  c.n_embd = get_aliased(hf, "n_embd", "hidden_size", c.n_embd);
  c.n_layer = get_aliased(hf, "n_layer", "num_hidden_layers", c.n_layer);
  c.n_head = get_aliased(hf, "n_head", "num_attention_heads", c.n_head);
  c.n_inner = hf.get<int64_t>("n_inner", 4 * c.n_embd);
  c.activation_function = nn::activation_from_name(hf.get<std::string>("activation_function", "gelu_new"),
                                                   hf.source(), "activation_function");
  c.resid_pdrop = hf.get<double>("resid_pdrop", c.resid_pdrop);
  c.embd_pdrop = hf.get<double>("embd_pdrop", c.embd_pdrop);
  c.attn_pdrop = hf.get<double>("attn_pdrop", c.attn_pdrop);
  c.layer_norm_epsilon = hf.get<double>("layer_norm_epsilon", c.layer_norm_epsilon);
  c.initializer_range = hf.get<double>("initializer_range", c.initializer_range);
  c.scale_attn_weights = hf.get<bool>("scale_attn_weights", c.scale_attn_weights);
  c.scale_attn_by_inverse_layer_idx =
      hf.get<bool>("scale_attn_by_inverse_layer_idx", c.scale_attn_by_inverse_layer_idx);

  const std::pair<const char*, int64_t> positive[] = {
      {"vocab_size", c.vocab_size}, {"n_positions", c.n_positions}, {"n_embd", c.n_embd},
      {"n_layer", c.n_layer},       {"n_head", c.n_head},           {"n_inner", c.n_inner}};
  for (const auto& [field, v] : positive) {
    if (v < 1) hf.fail(field, "a positive integer", std::to_string(v));
  }
  if (c.n_embd % c.n_head != 0) {
    hf.fail("n_head", str_cat("a divisor of n_embd=", c.n_embd), std::to_string(c.n_head));
  }
  for (const auto& [field, p] : {std::pair<const char*, double>{"resid_pdrop", c.resid_pdrop},
                                 {"embd_pdrop", c.embd_pdrop}, {"attn_pdrop", c.attn_pdrop}}) {
    if (p < 0 || p >= 1) hf.fail(field, "a probability in [0, 1)", std::to_string(p));
  }
  if (hf.get<bool>("reorder_and_upcast_attn", false)) {
    hf.fail("reorder_and_upcast_attn", "false (not implemented)", "true");
  }
  if (hf.get<bool>("add_cross_attention", false)) {
    hf.fail("add_cross_attention", "false (decoder-only GPT-2)", "true");
  }
  return c;
}

nn::Linear conv1d(int64_t in, int64_t out) {
  return nn::Linear(nn::LinearOptions{in, out, /*bias=*/true, /*fan_in_fan_out=*/true});
}

// ---------------------------------------------------------------------------------------------
// Blocks.

// transformers v4.40.2 modeling_gpt2.py: GPT2Attention (self-attention, eager _attn)
struct AttentionImpl : torch::nn::Module {
  AttentionImpl(const Config& c, int64_t layer_idx) : heads(c.n_head), head_dim(c.n_embd / c.n_head) {
    c_attn = register_module("c_attn", conv1d(c.n_embd, 3 * c.n_embd));
    c_proj = register_module("c_proj", conv1d(c.n_embd, c.n_embd));
    resid_dropout = register_module("resid_dropout", nn::Dropout(c.resid_pdrop));
    attn_pdrop = c.attn_pdrop;
    divisor = c.scale_attn_weights ? std::sqrt(static_cast<double>(head_dim)) : 1.0;
    if (c.scale_attn_by_inverse_layer_idx) divisor *= static_cast<double>(layer_idx + 1);
  }

  // h: [B, T, C], mask: [B or 1, 1, T, S], cache: this layer's entry or nullptr → [B, T, C]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask, KvCache::Layer* cache) {
    const int64_t B = h.size(0), T = h.size(1), C = h.size(2);
    const auto qkv = c_attn(h).split(C, 2);  // 3 × [B, T, C]
    const auto q = qkv[0].view({B, T, heads, head_dim});
    auto k = qkv[1].view({B, T, heads, head_dim});  // [B, T, H, D]
    auto v = qkv[2].view({B, T, heads, head_dim});
    if (cache != nullptr) {  // the cache holds [B, H, S, D]; attention reads [B, S, H, D] views of it
      const auto kv = append_to_cache(*cache, k.transpose(1, 2), v.transpose(1, 2));
      k = kv.first.transpose(1, 2);
      v = kv.second.transpose(1, 2);
    }
    // HF divides by a 0-d tensor of the weights' dtype: the divisor rounded to it (bfloat16 matters).
    const double d = torch::scalar_tensor(divisor, torch::kFloat64).to(h.scalar_type()).item<double>();
    const auto context = nn::multi_head_attention(q, k, v, mask, d, attn_pdrop, is_training());  // [B, T, C]
    return resid_dropout(c_proj(context));
  }

  int64_t heads, head_dim;
  double attn_pdrop = 0, divisor = 1;
  nn::Linear c_attn{nullptr}, c_proj{nullptr};
  nn::Dropout resid_dropout{nullptr};
};
TORCH_MODULE(Attention);

// transformers v4.40.2 modeling_gpt2.py: GPT2MLP
struct MLPImpl : torch::nn::Module {
  explicit MLPImpl(const Config& c) : act(c.activation_function) {
    c_fc = register_module("c_fc", conv1d(c.n_embd, c.n_inner));
    c_proj = register_module("c_proj", conv1d(c.n_inner, c.n_embd));
    dropout = register_module("dropout", nn::Dropout(c.resid_pdrop));
  }
  // x: [B, T, C] → [B, T, C]
  torch::Tensor forward(const torch::Tensor& x) {
    return dropout(c_proj(nn::apply_activation(act, c_fc(x))));
  }
  nn::Activation act;
  nn::Linear c_fc{nullptr}, c_proj{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(MLP);

torch::nn::LayerNorm layer_norm(const Config& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.n_embd}).eps(c.layer_norm_epsilon));
}

// transformers v4.40.2 modeling_gpt2.py: GPT2Block (pre-LN)
struct BlockImpl : torch::nn::Module {
  BlockImpl(const Config& c, int64_t layer_idx) {
    ln_1 = register_module("ln_1", layer_norm(c));
    attn = register_module("attn", Attention(c, layer_idx));
    ln_2 = register_module("ln_2", layer_norm(c));
    mlp = register_module("mlp", MLP(c));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask, KvCache::Layer* cache) {
    const auto a = h + attn(ln_1(h), mask, cache);
    return a + mlp(ln_2(a));
  }
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  Attention attn{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(Block);

// transformers v4.40.2 modeling_gpt2.py: GPT2Model (wte, wpe, h.{i}, ln_f)
struct BodyImpl : torch::nn::Module {
  explicit BodyImpl(const Config& c) : n_positions(c.n_positions) {
    wte = register_module("wte", torch::nn::Embedding(c.vocab_size, c.n_embd));
    wpe = register_module("wpe", torch::nn::Embedding(c.n_positions, c.n_embd));
    drop = register_module("drop", nn::Dropout(c.embd_pdrop));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.n_layer; ++i) h->push_back(Block(c, i));
    ln_f = register_module("ln_f", layer_norm(c));
  }

  void forward(const ModelInputs& in, ModelOutputs& out) {
    const auto step = prepare_decoder_step(in, static_cast<int64_t>(h->size()), "GPT2Model");
    const int64_t T = in.input_ids.size(1);
    if (step.past + T > n_positions || (step.position_ids.numel() > 0 &&
                                        step.position_ids.max().item<int64_t>() >= n_positions)) {
      throw Error(str_cat("GPT2Model: ", step.past + T, " positions (", step.past, " cached + ", T,
                          " new) exceed n_positions=", n_positions));
    }
    auto x = wte(in.input_ids) + wpe(step.position_ids);  // [B, T, C]
    if (in.token_type_ids.defined()) x = x + wte(in.token_type_ids);  // HF embeds them with wte
    x = drop(x);
    const auto mask = causal_attention_mask(in.attention_mask, T, step.past, x.scalar_type(),
                                            MaskCombine::Sum, x.device());  // [B|1, 1, T, S]
    if (in.output_hidden_states) out.hidden_states.push_back(x);
    for (size_t i = 0; i < h->size(); ++i) {
      KvCache::Layer* layer_cache = in.cache ? &in.cache->self_attention[i] : nullptr;
      x = h[i]->as<BlockImpl>()->forward(x, mask, layer_cache);
      // HF records each block's input; the last entry is the output after ln_f.
      if (in.output_hidden_states && i + 1 < h->size()) out.hidden_states.push_back(x);
    }
    x = ln_f(x);
    if (in.output_hidden_states) out.hidden_states.push_back(x);
    out.last_hidden_state = x;
  }

  int64_t n_positions;
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  nn::Dropout drop{nullptr};
  torch::nn::ModuleList h{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
};
TORCH_MODULE(Body);

// ---------------------------------------------------------------------------------------------
// The model: GPT2Model (head None) and GPT2LMHeadModel (head CausalLM).

class Gpt2 : public Model {
 public:
  Gpt2(HfConfig hf, Config c, TaskHead head) : hf_(std::move(hf)), c_(std::move(c)), head_(head) {
    if (head != TaskHead::None && head != TaskHead::CausalLM) {
      throw Error(str_cat(hf_.source(), ": GPT-2 has no ", task_head_name(head),
                          " head here (supported: none, causal_lm)"));
    }
    body_ = Body(c_);
    if (head == TaskHead::None) {
      for (const auto& child : body_->named_children()) register_module(child.key(), child.value());
    } else {
      register_module("transformer", body_);
    }
  }

  ModelOutputs forward(const ModelInputs& in) override {
    ModelOutputs out;
    body_->forward(in, out);
    if (head_ == TaskHead::CausalLM) {
      // lm_head.weight is tied to transformer.wte.weight: [V, C], no bias.
      out.logits = torch::linear(out.last_hidden_state, body_->wte->weight);  // [B, T, V]
      if (in.labels.defined()) out.loss = causal_lm_loss(out.logits, in.labels);
    }
    return out;
  }

  const HfConfig& config() const override { return hf_; }
  TaskHead head() const override { return head_; }
  std::string hf_class() const override {
    return head_ == TaskHead::CausalLM ? "GPT2LMHeadModel" : "GPT2Model";
  }
  std::string base_model_prefix() const override { return "transformer"; }
  std::vector<std::string> other_head_prefixes() const override {
    // lm_head.weight: the tied copy some checkpoints store; score / multiple_choice_head: the
    // sequence-classification and double-heads models.
    return {"lm_head.", "score.", "multiple_choice_head."};
  }
  std::vector<std::string> ignorable_key_suffixes() const override {
    // The causal-mask buffers (`attn.bias` [1, 1, n_positions, n_positions], `attn.masked_bias`)
    // that checkpoints written by older transformers still hold.
    return {".attn.bias", ".attn.masked_bias"};
  }
  void init_weights() override {
    nn::init_hf_weights(*this, c_.initializer_range);
    // GPT2PreTrainedModel._init_weights: residual projections get std / sqrt(2 · n_layer).
    torch::NoGradGuard no_grad;
    const double std = c_.initializer_range / std::sqrt(2.0 * static_cast<double>(c_.n_layer));
    const std::string suffix = ".c_proj.weight";
    for (auto& p : named_parameters()) {
      const auto& n = p.key();
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        p.value().normal_(0.0, std);
      }
    }
  }

 private:
  HfConfig hf_;
  Config c_;
  TaskHead head_;
  Body body_{nullptr};
};

}  // namespace

ModelPtr build_gpt2(const HfConfig& config, TaskHead head) {
  return make_model<Gpt2>(config, resolve(config), head);
}

}  // namespace adalora::models
