// DeBERTa-v2 and DeBERTa-v3 encoders with their task heads, as transformers v4.40.2
// modeling_deberta_v2.py (DeBERTa-v3 checkpoints are `model_type: deberta-v2` configs with
// position_buckets 256, norm_rel_ebd layer_norm, share_att_key, pos_att_type p2c|c2p and no
// absolute positions). Disentangled attention = content→content + content→position (c2p) +
// position→content (p2c), each divided by sqrt(head_size · (1 + |pos_att_type|)).
// Not supported (error naming the field): the convolution layer of deberta-v2-xlarge/xxlarge
// (`conv_kernel_size` > 0), `z_steps` > 0, relative_attention without positions in any head.
// StableDropout ≡ dropout in training (same distribution; HF's custom backward is the same map).
//
// Legend: B batch, T sequence, C hidden_size, H heads, D head size, R = 2 · att_span rows.
#include <cmath>

#include "adalora/core/error.h"
#include "adalora/io/hf_config_non_null.h"
#include "adalora/models/causal_mask.h"
#include "adalora/models/heads.h"
#include "adalora/models/make_model.h"
#include "adalora/models/model.h"
#include "adalora/models/relative_position.h"
#include "adalora/nn/activations.h"
#include "adalora/nn/batched_matmul.h"
#include "adalora/nn/dropout.h"
#include "adalora/nn/init.h"
#include "adalora/nn/linear.h"
#include "adalora/nn/shared_input_linear.h"

namespace adalora::models {
namespace {

// ---------------------------------------------------------------------------------------------
// Config: DebertaV2Config fields (and the getattr defaults of modeling_deberta_v2.py).

struct Config {
  int64_t vocab_size = 128100;
  int64_t hidden_size = 1536;
  int64_t num_hidden_layers = 24;
  int64_t num_attention_heads = 24;
  int64_t attention_head_size = 64;
  int64_t intermediate_size = 6144;
  nn::Activation hidden_act = nn::Activation::Gelu;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 0;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-7;
  bool relative_attention = false;
  int64_t max_relative_positions = -1;  // resolved: < 1 → max_position_embeddings
  int64_t position_buckets = -1;
  int64_t pad_token_id = 0;
  bool position_biased_input = true;
  bool c2p = false, p2c = false;
  bool share_att_key = false;
  bool norm_rel_ebd = false;  // "layer_norm" in norm_rel_ebd
  int64_t embedding_size = 1536;
  int64_t pooler_hidden_size = 1536;
  double pooler_dropout = 0;
  nn::Activation pooler_hidden_act = nn::Activation::Gelu;
  std::optional<double> cls_dropout;
  int64_t num_labels = 2;
  std::optional<std::string> problem_type;

  // att_span / pos_ebd_size of DisentangledSelfAttention.
  int64_t att_span() const { return position_buckets > 0 ? position_buckets : max_relative_positions; }
};

std::vector<std::string> split_lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t bar = s.find('|', start);
    if (bar == std::string::npos) bar = s.size();
    std::string part = s.substr(start, bar - start);
    const auto b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
    start = bar + 1;
  }
  return out;
}

Config resolve(const HfConfig& hf) {
  Config c;
  c.vocab_size = io::get_non_null<int64_t>(hf, "vocab_size", c.vocab_size);
  c.hidden_size = io::get_non_null<int64_t>(hf, "hidden_size", c.hidden_size);
  c.num_hidden_layers = io::get_non_null<int64_t>(hf, "num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = io::get_non_null<int64_t>(hf, "num_attention_heads", c.num_attention_heads);
  c.intermediate_size = io::get_non_null<int64_t>(hf, "intermediate_size", c.intermediate_size);
  c.hidden_act = nn::activation_from_name(io::get_non_null<std::string>(hf, "hidden_act", "gelu"), hf.source());
  c.hidden_dropout_prob = io::get_non_null<double>(hf, "hidden_dropout_prob", c.hidden_dropout_prob);
  c.attention_probs_dropout_prob =
      io::get_non_null<double>(hf, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  c.max_position_embeddings = io::get_non_null<int64_t>(hf, "max_position_embeddings", c.max_position_embeddings);
  c.type_vocab_size = io::get_non_null<int64_t>(hf, "type_vocab_size", c.type_vocab_size);
  c.initializer_range = io::get_non_null<double>(hf, "initializer_range", c.initializer_range);
  c.layer_norm_eps = io::get_non_null<double>(hf, "layer_norm_eps", c.layer_norm_eps);
  c.relative_attention = hf.get<bool>("relative_attention", false);
  c.max_relative_positions = io::get_non_null<int64_t>(hf, "max_relative_positions", -1);
  if (c.max_relative_positions < 1) c.max_relative_positions = c.max_position_embeddings;
  c.position_buckets = io::get_non_null<int64_t>(hf, "position_buckets", -1);
  c.pad_token_id = hf.get<int64_t>("pad_token_id", 0);
  c.position_biased_input = hf.get<bool>("position_biased_input", true);
  c.share_att_key = hf.get<bool>("share_att_key", false);
  c.embedding_size = io::get_non_null<int64_t>(hf, "embedding_size", c.hidden_size);
  c.pooler_hidden_size = io::get_non_null<int64_t>(hf, "pooler_hidden_size", c.hidden_size);
  c.pooler_dropout = io::get_non_null<double>(hf, "pooler_dropout", 0.0);
  c.pooler_hidden_act = nn::activation_from_name(hf.get<std::string>("pooler_hidden_act", "gelu"),
                                                 hf.source(), "pooler_hidden_act");
  c.cls_dropout = hf.get_optional<double>("cls_dropout");
  c.num_labels = hf.num_labels();
  c.problem_type = hf.problem_type();

  // pos_att_type: "p2c|c2p" (original configs) or ["p2c", "c2p"] (what HF re-saves).
  std::vector<std::string> pos_att_type;
  if (hf.has("pos_att_type")) {
    const auto& v = hf.json().at("pos_att_type");
    if (v.is_string()) {
      pos_att_type = split_lower(v.get<std::string>());
    } else if (v.is_array() && std::all_of(v.begin(), v.end(), [](const io::Json& e) { return e.is_string(); })) {
      pos_att_type = v.get<std::vector<std::string>>();
    } else {
      hf.fail("pos_att_type", "a string such as \"p2c|c2p\" or a list of \"c2p\"/\"p2c\"", v.dump());
    }
  }
  for (const auto& t : pos_att_type) {
    if (t == "c2p") {
      c.c2p = true;
    } else if (t == "p2c") {
      c.p2c = true;
    } else {
      hf.fail("pos_att_type", "entries \"c2p\" or \"p2c\"", io::Json(t).dump());
    }
  }
  if (hf.has("norm_rel_ebd")) {
    for (const auto& t : split_lower(hf.get<std::string>("norm_rel_ebd", "none"))) {
      if (t == "layer_norm") {
        c.norm_rel_ebd = true;
      } else if (t != "none") {
        hf.fail("norm_rel_ebd", "\"none\" or \"layer_norm\"", io::Json(t).dump());
      }
    }
  }

  for (const char* field : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings"}) {
    const int64_t v = hf.get<int64_t>(field, 1);
    if (v < 1) hf.fail(field, "a positive integer", std::to_string(v));
  }
  if (hf.has("attention_head_size")) {
    c.attention_head_size = hf.get<int64_t>("attention_head_size", 0);
    if (c.attention_head_size < 1) {
      hf.fail("attention_head_size", "a positive integer", std::to_string(c.attention_head_size));
    }
  } else {
    if (c.hidden_size % c.num_attention_heads != 0) {
      hf.fail("num_attention_heads", str_cat("a divisor of hidden_size=", c.hidden_size),
              std::to_string(c.num_attention_heads));
    }
    c.attention_head_size = c.hidden_size / c.num_attention_heads;
  }
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size) {
    hf.fail("pad_token_id", str_cat("a token id below vocab_size=", c.vocab_size),
            std::to_string(c.pad_token_id));
  }
  if (c.type_vocab_size < 0) hf.fail("type_vocab_size", "≥ 0", std::to_string(c.type_vocab_size));
  if (c.pooler_hidden_size != c.hidden_size) {
    hf.fail("pooler_hidden_size", str_cat("hidden_size=", c.hidden_size, " (ContextPooler reads "
                                          "the first token's hidden state)"),
            std::to_string(c.pooler_hidden_size));
  }
  if (const int64_t k = hf.get<int64_t>("conv_kernel_size", 0); k > 0) {
    hf.fail("conv_kernel_size", "0 (the convolution layer of deberta-v2-xlarge is not supported)",
            std::to_string(k));
  }
  if (const int64_t z = hf.get<int64_t>("z_steps", 0); z > 0) {
    hf.fail("z_steps", "0 (not supported)", std::to_string(z));
  }
  if (c.relative_attention && c.att_span() < 1) {
    hf.fail("position_buckets", "a positive span", std::to_string(c.position_buckets));
  }
  return c;
}

torch::nn::LayerNorm layer_norm(int64_t size, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({size}).eps(eps));
}

// ---------------------------------------------------------------------------------------------
// Blocks.

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Embeddings
struct EmbeddingsImpl : torch::nn::Module {
  explicit EmbeddingsImpl(const Config& c) : position_biased_input(c.position_biased_input) {
    word_embeddings = register_module(
        "word_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.embedding_size)
                                                    .padding_idx(c.pad_token_id)));
    if (position_biased_input) {
      position_embeddings = register_module(
          "position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.embedding_size));
    }
    if (c.type_vocab_size > 0) {
      token_type_embeddings = register_module(
          "token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.embedding_size));
    }
    if (c.embedding_size != c.hidden_size) {
      embed_proj = register_module("embed_proj",
                                   nn::Linear(nn::LinearOptions{c.embedding_size, c.hidden_size, false}));
    }
    LayerNorm = register_module("LayerNorm", layer_norm(c.hidden_size, c.layer_norm_eps));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }

  // input_ids, token_type_ids, mask: [B, T] → [B, T, C]
  torch::Tensor forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids,
                        const torch::Tensor& mask) {
    auto x = word_embeddings(input_ids);
    if (position_embeddings) {
      const auto pos = torch::arange(input_ids.size(1), input_ids.options().dtype(torch::kLong));
      x = x + position_embeddings(pos.unsqueeze(0));
    }
    if (token_type_embeddings) {
      if (!token_type_ids.defined()) token_type_ids = torch::zeros_like(input_ids);
      x = x + token_type_embeddings(token_type_ids);
    }
    if (embed_proj) x = embed_proj(x);
    x = LayerNorm(x);
    x = x * mask.unsqueeze(2).to(x.scalar_type());
    return dropout(x);
  }

  bool position_biased_input;
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr},
      token_type_embeddings{nullptr};
  nn::Linear embed_proj{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Embeddings);

// transformers v4.40.2 modeling_deberta_v2.py: DisentangledSelfAttention
struct DisentangledSelfAttentionImpl : torch::nn::Module {
  explicit DisentangledSelfAttentionImpl(const Config& c)
      : heads(c.num_attention_heads), head_size(c.attention_head_size), c2p(c.c2p), p2c(c.p2c),
        relative(c.relative_attention), share_att_key(c.share_att_key), span(c.att_span()) {
    const int64_t all = heads * head_size;
    query_proj = register_module("query_proj", nn::Linear(c.hidden_size, all));
    key_proj = register_module("key_proj", nn::Linear(c.hidden_size, all));
    value_proj = register_module("value_proj", nn::Linear(c.hidden_size, all));
    if (relative) {
      pos_dropout = register_module("pos_dropout", nn::Dropout(c.hidden_dropout_prob));
      if (!share_att_key) {
        if (c2p) pos_key_proj = register_module("pos_key_proj", nn::Linear(c.hidden_size, all));
        if (p2c) pos_query_proj = register_module("pos_query_proj", nn::Linear(c.hidden_size, all));
      }
    }
    dropout = register_module("dropout", nn::Dropout(c.attention_probs_dropout_prob));
  }

  // [B, T, H·D] → [B·H, T, D] (transpose_for_scores)
  torch::Tensor split_heads(const torch::Tensor& x) const {
    const int64_t B = x.size(0), T = x.size(1);
    return x.view({B, T, heads, -1}).permute({0, 2, 1, 3}).contiguous().view({-1, T, x.size(2) / heads});
  }

  // h: [B, T, C]; mask: [B, 1, T, T]; relative_pos: [1, T, T]; rel_embeddings: [R', C] → [B, T, H·D]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask,
                        const torch::Tensor& relative_pos, const torch::Tensor& rel_embeddings) {
    const int64_t B = h.size(0), T = h.size(1);
    // The three projections' adapters in one pass over h (nn/shared_input_linear.h).
    const auto qkv = nn::shared_input_linears(h, {query_proj.get(), key_proj.get(), value_proj.get()});
    const auto q = split_heads(qkv[0]);  // [B·H, T, D]
    const auto k = split_heads(qkv[1]);
    const auto v = split_heads(qkv[2]);
    const int64_t scale_factor = 1 + (c2p ? 1 : 0) + (p2c ? 1 : 0);
    // HF: scale = sqrt(tensor(D, float32) * scale_factor) as float32, and K is divided before bmm.
    const auto scale = torch::sqrt(torch::full({}, static_cast<double>(head_size), torch::kFloat32) *
                                   static_cast<double>(scale_factor))
                           .to(q.scalar_type());
    auto scores = nn::batched_matmul(q, k.transpose(-1, -2) / scale);  // [B·H, T, T]
    if (relative) {
      scores = scores + disentangled_bias(q, k, relative_pos, pos_dropout(rel_embeddings), scale);
    }
    scores = scores.view({-1, heads, T, T});
    // XSoftmax: masked scores → finfo.min, softmax, masked probabilities → 0.
    const auto rmask = mask.to(torch::kBool).logical_not();  // [B, 1, T, T]
    auto probs = torch::softmax(scores.masked_fill(rmask, finfo_min(scores.scalar_type())), -1);
    probs = probs.masked_fill(rmask, 0.0);
    probs = dropout(probs);
    auto ctx = nn::batched_matmul(probs.view({-1, T, T}), v);  // [B·H, T, D]
    return ctx.view({B, heads, T, head_size}).permute({0, 2, 1, 3}).contiguous().view({B, T, -1});
  }

  // disentangled_attention_bias: c2p + p2c terms, [B·H, T, T]. HF repeats the relative keys and
  // queries for every batch item and multiplies B·H small [T, D]·[D, R] matrices; here each head's
  // positions multiply all B·T of its rows at once ([B·T, D]·[D, R], H products, no repeat copies).
  // The same dot products over D, so the same values up to the GEMMs' rounding.
  torch::Tensor disentangled_bias(const torch::Tensor& q, const torch::Tensor& k,
                                  const torch::Tensor& relative_pos, const torch::Tensor& rel_embeddings,
                                  const torch::Tensor& scale) {
    const int64_t BH = q.size(0), T = q.size(1), D = q.size(2), B = BH / heads;
    const auto rel = rel_embeddings.slice(0, 0, span * 2).unsqueeze(0);  // [1, R, C]
    torch::Tensor pos_key, pos_query;  // [H, R, D]
    if (share_att_key) {
      pos_query = split_heads(query_proj(rel));
      pos_key = split_heads(key_proj(rel));
    } else {
      if (c2p) pos_key = split_heads(pos_key_proj(rel));
      if (p2c) pos_query = split_heads(pos_query_proj(rel));
    }
    // [B·H, T, D] → [H, B·T, D]; the result [H, B·T, R] viewed as [B, H, T, R].
    auto by_head = [&](const torch::Tensor& x) { return x.view({B, heads, T, D}).transpose(0, 1).reshape({heads, B * T, D}); };
    auto as_batch = [&](const torch::Tensor& x) { return x.view({heads, B, T, -1}).transpose(0, 1); };
    torch::Tensor score = torch::zeros({}, q.options());
    const auto rp = relative_pos.to(torch::kLong);  // [1, T, T]
    // Only the relative positions the index reaches are multiplied: for T ≤ span that is 2T − 1 of
    // the 2·span rows (255 of 512 at T = 128), which halves the products and the gather's buffers.
    auto attend = [&](const torch::Tensor& x, const torch::Tensor& positions, const torch::Tensor& index) {
      const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
      const auto used = positions.narrow(1, lo, hi - lo + 1);                      // [H, R', D]
      const auto att = as_batch(torch::bmm(by_head(x), used.transpose(-1, -2)));   // [B, H, T, R']
      return torch::gather(att, -1, (index - lo).expand({B, heads, T, T})).view({BH, T, T});
    };
    if (c2p) score = score + attend(q, pos_key, torch::clamp(rp + span, 0, span * 2 - 1)) / scale;
    if (p2c) score = score + attend(k, pos_query, torch::clamp(-rp + span, 0, span * 2 - 1)).transpose(-1, -2) / scale;
    return score;
  }

  int64_t heads, head_size;
  bool c2p, p2c, relative, share_att_key;
  int64_t span;
  nn::Linear query_proj{nullptr}, key_proj{nullptr}, value_proj{nullptr}, pos_key_proj{nullptr},
      pos_query_proj{nullptr};
  nn::Dropout pos_dropout{nullptr}, dropout{nullptr};
};
TORCH_MODULE(DisentangledSelfAttention);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2SelfOutput and DebertaV2Output
struct ResidualOutputImpl : torch::nn::Module {
  ResidualOutputImpl(const Config& c, int64_t in_features) {
    dense = register_module("dense", nn::Linear(in_features, c.hidden_size));
    LayerNorm = register_module("LayerNorm", layer_norm(c.hidden_size, c.layer_norm_eps));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    // Eager on purpose: nn/dropout_add_layer_norm measured 1.05-1.07x slower (docs/performance.md).
    return LayerNorm(dropout(dense(x)) + residual);
  }
  nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ResidualOutput);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Attention
struct AttentionImpl : torch::nn::Module {
  explicit AttentionImpl(const Config& c) {
    self = register_module("self", DisentangledSelfAttention(c));
    output = register_module("output", ResidualOutput(c, c.num_attention_heads * c.attention_head_size));
  }
  DisentangledSelfAttention self{nullptr};
  ResidualOutput output{nullptr};
};
TORCH_MODULE(Attention);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Intermediate
struct IntermediateImpl : torch::nn::Module {
  explicit IntermediateImpl(const Config& c) : act(c.hidden_act) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x) { return nn::apply_activation(act, dense(x)); }
  nn::Activation act;
  nn::Linear dense{nullptr};
};
TORCH_MODULE(Intermediate);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Layer
struct LayerImpl : torch::nn::Module {
  explicit LayerImpl(const Config& c) {
    attention = register_module("attention", Attention(c));
    intermediate = register_module("intermediate", Intermediate(c));
    output = register_module("output", ResidualOutput(c, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask,
                        const torch::Tensor& relative_pos, const torch::Tensor& rel_embeddings) {
    const auto a = attention->output(attention->self(h, mask, relative_pos, rel_embeddings), h);
    return output(intermediate(a), a);
  }
  Attention attention{nullptr};
  Intermediate intermediate{nullptr};
  ResidualOutput output{nullptr};
};
TORCH_MODULE(Layer);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Encoder
struct EncoderImpl : torch::nn::Module {
  explicit EncoderImpl(const Config& c) : c_(c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(Layer(c));
    if (c.relative_attention) {
      rel_embeddings =
          register_module("rel_embeddings", torch::nn::Embedding(c.att_span() * 2, c.hidden_size));
      if (c.norm_rel_ebd) {
        LayerNorm = register_module("LayerNorm", layer_norm(c.hidden_size, c.layer_norm_eps));
      }
    }
  }

  // h: [B, T, C], mask: [B, T] → last hidden state; appends every layer's input and output.
  torch::Tensor forward(torch::Tensor h, const torch::Tensor& mask,
                        std::vector<torch::Tensor>* hidden_states) {
    const int64_t T = h.size(1);
    const auto m = mask.unsqueeze(1).unsqueeze(2);                  // [B, 1, 1, T]
    const auto mask4 = m * m.squeeze(-2).unsqueeze(-1);             // [B, 1, T, T]
    torch::Tensor relative_pos, rel;
    if (c_.relative_attention) {
      relative_pos = build_relative_position(T, T, c_.position_buckets, c_.max_relative_positions,
                                             h.device());  // [1, T, T]
      rel = rel_embeddings->weight;                             // [R, C]
      if (LayerNorm) rel = LayerNorm(rel);
    }
    for (const auto& module : *layer) {
      h = module->as<LayerImpl>()->forward(h, mask4, relative_pos, rel);
      if (hidden_states) hidden_states->push_back(h);
    }
    return h;
  }

  Config c_;
  torch::nn::ModuleList layer{nullptr};
  torch::nn::Embedding rel_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(Encoder);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2Model
struct BodyImpl : torch::nn::Module {
  explicit BodyImpl(const Config& c) {
    embeddings = register_module("embeddings", Embeddings(c));
    encoder = register_module("encoder", Encoder(c));
  }
  void forward(const ModelInputs& in, ModelOutputs& out) {
    const auto mask = in.attention_mask.defined() ? in.attention_mask : torch::ones_like(in.input_ids);
    auto h = embeddings(in.input_ids, in.token_type_ids, mask);
    if (in.output_hidden_states) out.hidden_states.push_back(h);
    out.last_hidden_state = encoder(h, mask, in.output_hidden_states ? &out.hidden_states : nullptr);
  }
  Embeddings embeddings{nullptr};
  Encoder encoder{nullptr};
};
TORCH_MODULE(Body);

// ---------------------------------------------------------------------------------------------
// Heads.

// transformers v4.40.2 modeling_deberta_v2.py: ContextPooler (top-level `pooler.dense`)
struct ContextPoolerImpl : torch::nn::Module {
  explicit ContextPoolerImpl(const Config& c) : act(c.pooler_hidden_act) {
    dense = register_module("dense", nn::Linear(c.pooler_hidden_size, c.pooler_hidden_size));
    dropout = register_module("dropout", nn::Dropout(c.pooler_dropout));
  }
  // h: [B, T, C] → [B, C]
  torch::Tensor forward(const torch::Tensor& h) {
    return nn::apply_activation(act, dense(dropout(h.select(1, 0))));
  }
  nn::Activation act;
  nn::Linear dense{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ContextPooler);

// transformers v4.40.2 modeling_deberta_v2.py: DebertaV2PredictionHeadTransform +
// DebertaV2LMPredictionHead (`cls.predictions.transform.{dense,LayerNorm}`, `cls.predictions.bias`;
// decoder tied to the word embeddings).
struct TransformImpl : torch::nn::Module {
  explicit TransformImpl(const Config& c) : act(c.hidden_act) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.embedding_size));
    LayerNorm = register_module("LayerNorm", layer_norm(c.embedding_size, c.layer_norm_eps));
  }
  torch::Tensor forward(const torch::Tensor& h) {
    return LayerNorm(nn::apply_activation(act, dense(h)));
  }
  nn::Activation act;
  nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(Transform);

struct LMPredictionHeadImpl : torch::nn::Module {
  explicit LMPredictionHeadImpl(const Config& c) {
    transform = register_module("transform", Transform(c));
    bias = register_parameter("bias", torch::zeros({c.vocab_size}));
  }
  Transform transform{nullptr};
  torch::Tensor bias;  // [V]
};
TORCH_MODULE(LMPredictionHead);

struct OnlyMLMHeadImpl : torch::nn::Module {
  explicit OnlyMLMHeadImpl(const Config& c) {
    predictions = register_module("predictions", LMPredictionHead(c));
  }
  // h: [B, T, C], decoder_weight: [V, E] → [B, T, V]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& decoder_weight) {
    return torch::linear(predictions->transform(h), decoder_weight, predictions->bias);
  }
  LMPredictionHead predictions{nullptr};
};
TORCH_MODULE(OnlyMLMHead);

// ---------------------------------------------------------------------------------------------
// The model: DebertaV2{Model, ForSequenceClassification, ForTokenClassification,
// ForQuestionAnswering, ForMaskedLM}.

class DebertaV2Model : public Model {
 public:
  DebertaV2Model(HfConfig hf, Config c, TaskHead head)
      : hf_(std::move(hf)), c_(std::move(c)), head_(head) {
    body_ = Body(c_);
    if (head == TaskHead::None) {
      for (const auto& child : body_->named_children()) register_module(child.key(), child.value());
    } else {
      register_module("deberta", body_);
    }
    switch (head) {
      case TaskHead::None:
        break;
      case TaskHead::SequenceClassification:
        pooler_ = register_module("pooler", ContextPooler(c_));
        classifier_ = register_module("classifier", nn::Linear(c_.pooler_hidden_size, c_.num_labels));
        dropout_ = register_module("dropout",
                                   nn::Dropout(c_.cls_dropout.value_or(c_.hidden_dropout_prob)));
        break;
      case TaskHead::TokenClassification:
        dropout_ = register_module("dropout", nn::Dropout(c_.hidden_dropout_prob));
        classifier_ = register_module("classifier", nn::Linear(c_.hidden_size, c_.num_labels));
        break;
      case TaskHead::QuestionAnswering:
        classifier_ = register_module("qa_outputs", nn::Linear(c_.hidden_size, c_.num_labels));
        break;
      case TaskHead::MaskedLM:
        mlm_head_ = register_module("cls", OnlyMLMHead(c_));
        break;
      case TaskHead::CausalLM:
      case TaskHead::Seq2SeqLM:
        throw Error(str_cat(hf_.source(), ": the ", task_head_name(head),
                            " head needs a decoder; DeBERTa-v2 is an encoder"));
    }
  }

  ModelOutputs forward(const ModelInputs& in) override {
    ModelOutputs out;
    body_->forward(in, out);
    const auto& h = out.last_hidden_state;  // [B, T, C]
    switch (head_) {
      case TaskHead::None:
        break;
      case TaskHead::SequenceClassification:
        out.pooler_output = pooler_(h);                        // [B, C]
        out.logits = classifier_(dropout_(out.pooler_output));  // [B, num_labels]
        if (in.labels.defined()) {
          out.loss = sequence_classification_loss(out.logits, in.labels, c_.num_labels,
                                                  c_.problem_type, ProblemTypeRules::DebertaV2);
        }
        break;
      case TaskHead::TokenClassification:
        out.logits = classifier_(dropout_(h));
        if (in.labels.defined()) out.loss = token_cross_entropy(out.logits, in.labels);
        break;
      case TaskHead::QuestionAnswering:
        question_answering_outputs(classifier_(h), in, out);
        break;
      case TaskHead::MaskedLM:
        out.logits = mlm_head_(h, body_->embeddings->word_embeddings->weight);
        if (in.labels.defined()) out.loss = token_cross_entropy(out.logits, in.labels);
        break;
      case TaskHead::CausalLM:
      case TaskHead::Seq2SeqLM:
        break;  // refused in the constructor
    }
    return out;
  }

  const HfConfig& config() const override { return hf_; }
  TaskHead head() const override { return head_; }
  std::string hf_class() const override {
    static const char* suffix[] = {"Model", "ForSequenceClassification", "ForTokenClassification",
                                   "ForQuestionAnswering", "ForMaskedLM"};
    return std::string("DebertaV2") + suffix[static_cast<int>(head_)];
  }
  std::string base_model_prefix() const override { return "deberta"; }
  std::vector<std::string> other_head_prefixes() const override {
    // lm_predictions / mask_predictions: the original DeBERTa-v3 pre-training (RTD) heads.
    return {"cls.", "lm_predictions.", "mask_predictions.", "classifier.", "qa_outputs.", "pooler."};
  }
  void init_weights() override {
    nn::init_hf_weights(*this, c_.initializer_range);
    torch::NoGradGuard no_grad;
    if (mlm_head_) mlm_head_->predictions->bias.zero_();
  }

 private:
  HfConfig hf_;
  Config c_;
  TaskHead head_;
  Body body_{nullptr};
  ContextPooler pooler_{nullptr};
  nn::Dropout dropout_{nullptr};
  nn::Linear classifier_{nullptr};
  OnlyMLMHead mlm_head_{nullptr};
};

}  // namespace

ModelPtr build_deberta_v2(const HfConfig& config, TaskHead head) {
  return make_model<DebertaV2Model>(config, resolve(config), head);
}

}  // namespace adalora::models
