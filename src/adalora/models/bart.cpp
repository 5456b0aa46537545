// BART (BartModel, BartForConditionalGeneration) as transformers v4.40.2 modeling_bart.py with eager
// attention: learned positions offset by 2, optional sqrt(d_model) embedding scale, layernorm_embedding,
// post-LN encoder and decoder layers, one shared token embedding (encoder, decoder and the tied LM
// head), the `final_logits_bias` buffer, and the key/value cache of incremental decoding
// (models/kv_cache.h). Not here: the classification and QA heads, head masks, attention outputs,
// inputs_embeds, mBART's pre-LN layers and final LayerNorms (model_type "mbart" is not registered).
//
// Legend: B batch, S encoder length, T new decoder positions, P cached decoder positions,
// C d_model, H heads, D head size (C / H), F ffn dim, V vocab.
#include <cmath>

#include "adalora/core/error.h"
#include "adalora/models/causal_mask.h"
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
// Config: BartConfig fields with HF's class defaults.

struct Config {
  std::string source;  // config.json path, for errors about inputs
  int64_t vocab_size = 50265;
  int64_t max_position_embeddings = 1024;
  int64_t encoder_layers = 12;
  int64_t encoder_ffn_dim = 4096;
  int64_t encoder_attention_heads = 16;
  int64_t decoder_layers = 12;
  int64_t decoder_ffn_dim = 4096;
  int64_t decoder_attention_heads = 16;
  double encoder_layerdrop = 0.0;
  double decoder_layerdrop = 0.0;
  nn::Activation activation_function = nn::Activation::Gelu;
  int64_t d_model = 1024;
  double dropout = 0.1;
  double attention_dropout = 0.0;
  double activation_dropout = 0.0;
  double init_std = 0.02;
  bool scale_embedding = false;
  int64_t pad_token_id = 1;
  int64_t bos_token_id = 0;
  int64_t eos_token_id = 2;
  int64_t decoder_start_token_id = 2;
  std::optional<int64_t> forced_eos_token_id = 2;
};

Config resolve(const HfConfig& hf) {
  Config c;
  c.source = hf.source();
  c.vocab_size = hf.get<int64_t>("vocab_size", c.vocab_size);
  c.max_position_embeddings = hf.get<int64_t>("max_position_embeddings", c.max_position_embeddings);
  c.encoder_layers = hf.get<int64_t>("encoder_layers", c.encoder_layers);
  c.encoder_ffn_dim = hf.get<int64_t>("encoder_ffn_dim", c.encoder_ffn_dim);
  c.encoder_attention_heads = hf.get<int64_t>("encoder_attention_heads", c.encoder_attention_heads);
  c.decoder_layers = hf.get<int64_t>("decoder_layers", c.decoder_layers);
  c.decoder_ffn_dim = hf.get<int64_t>("decoder_ffn_dim", c.decoder_ffn_dim);
  c.decoder_attention_heads = hf.get<int64_t>("decoder_attention_heads", c.decoder_attention_heads);
  c.encoder_layerdrop = hf.get<double>("encoder_layerdrop", c.encoder_layerdrop);
  c.decoder_layerdrop = hf.get<double>("decoder_layerdrop", c.decoder_layerdrop);
  c.activation_function = nn::activation_from_name(hf.get<std::string>("activation_function", "gelu"),
                                                   hf.source(), "activation_function");
  c.d_model = hf.get<int64_t>("d_model", c.d_model);
  c.dropout = hf.get<double>("dropout", c.dropout);
  c.attention_dropout = hf.get<double>("attention_dropout", c.attention_dropout);
  c.activation_dropout = hf.get<double>("activation_dropout", c.activation_dropout);
  c.init_std = hf.get<double>("init_std", c.init_std);
  c.scale_embedding = hf.get<bool>("scale_embedding", c.scale_embedding);
  c.pad_token_id = hf.get<int64_t>("pad_token_id", c.pad_token_id);
  c.bos_token_id = hf.get<int64_t>("bos_token_id", c.bos_token_id);
  c.eos_token_id = hf.get<int64_t>("eos_token_id", c.eos_token_id);
  c.decoder_start_token_id = hf.get<int64_t>("decoder_start_token_id", c.decoder_start_token_id);
  // An explicit null switches the forced EOS off; an absent field keeps BartConfig's default 2.
  if (hf.has("forced_eos_token_id")) c.forced_eos_token_id = hf.get_optional<int64_t>("forced_eos_token_id");

  for (const char* field : {"vocab_size", "max_position_embeddings", "encoder_layers", "encoder_ffn_dim",
                            "encoder_attention_heads", "decoder_layers", "decoder_ffn_dim",
                            "decoder_attention_heads", "d_model"}) {
    const int64_t v = hf.get<int64_t>(field, 1);
    if (v < 1) hf.fail(field, "a positive integer", std::to_string(v));
  }
  for (const auto& [field, heads] : {std::pair<const char*, int64_t>{"encoder_attention_heads", c.encoder_attention_heads},
                                     {"decoder_attention_heads", c.decoder_attention_heads}}) {
    if (c.d_model % heads != 0) hf.fail(field, str_cat("a divisor of d_model=", c.d_model), std::to_string(heads));
  }
  const std::pair<const char*, double> probabilities[] = {
      {"dropout", c.dropout}, {"attention_dropout", c.attention_dropout},
      {"activation_dropout", c.activation_dropout}, {"encoder_layerdrop", c.encoder_layerdrop},
      {"decoder_layerdrop", c.decoder_layerdrop}};
  for (const auto& [field, p] : probabilities) {
    if (!(p >= 0.0 && p < 1.0)) hf.fail(field, "a probability in [0, 1)", std::to_string(p));
  }
  const std::pair<const char*, int64_t> ids[] = {{"pad_token_id", c.pad_token_id},
                                                 {"bos_token_id", c.bos_token_id},
                                                 {"eos_token_id", c.eos_token_id},
                                                 {"decoder_start_token_id", c.decoder_start_token_id},
                                                 {"forced_eos_token_id", c.forced_eos_token_id.value_or(0)}};
  for (const auto& [field, id] : ids) {
    if (id < 0 || id >= c.vocab_size) {
      hf.fail(field, str_cat("a token id below vocab_size=", c.vocab_size), std::to_string(id));
    }
  }
  // Fields of BART's relatives that change the computation; BartConfig has none of them.
  if (hf.get<bool>("normalize_before", false)) hf.fail("normalize_before", "false (BART is post-LN)", "true");
  if (hf.get<bool>("add_final_layer_norm", false)) {
    hf.fail("add_final_layer_norm", "false (an mBART feature)", "true");
  }
  if (!hf.get<bool>("tie_word_embeddings", true)) {
    hf.fail("tie_word_embeddings", "true (untied BART embeddings are not supported)", "false");
  }
  if (!hf.get<bool>("is_encoder_decoder", true)) hf.fail("is_encoder_decoder", "true", "false");
  return c;
}

torch::nn::LayerNorm layer_norm(const Config& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.d_model}).eps(1e-5));
}

// Token ids [B, L] must index the vocabulary, and positions P..P+L-1 the learned table.
void check_ids(const Config& c, const torch::Tensor& ids, const char* what, int64_t past = 0) {
  ADALORA_CHECK(ids.defined() && ids.dim() == 2 && !at::isFloatingType(ids.scalar_type()), "BART: ", what,
                ": expected [batch, length] integer token ids, got ",
                ids.defined() ? str_cat(ids.sizes(), " ", ids.scalar_type()) : std::string("none"));
  if (ids.numel() > 0) {
    const int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    ADALORA_CHECK(lo >= 0 && hi < c.vocab_size, "BART: ", what, ": token ids must lie in [0, ", c.vocab_size,
                  ") (", c.source, ": vocab_size), got ", lo < 0 ? lo : hi);
  }
  if (past + ids.size(1) > c.max_position_embeddings) {
    throw Error(str_cat(c.source, ": max_position_embeddings: expected ", what, " of at most ",
                        c.max_position_embeddings, " positions, got ", past + ids.size(1)));
  }
}

// HF shift_tokens_right: [B, T] → [B, T] with decoder_start first, -100 replaced by pad.
torch::Tensor shift_tokens_right(const torch::Tensor& ids, int64_t pad, int64_t decoder_start) {
  auto shifted = torch::full_like(ids, decoder_start);
  shifted.narrow(1, 1, ids.size(1) - 1).copy_(ids.narrow(1, 0, ids.size(1) - 1));
  return shifted.masked_fill_(shifted.eq(-100), pad);
}

// ---------------------------------------------------------------------------------------------
// Blocks.

// transformers v4.40.2 modeling_bart.py: BartAttention (eager). Self-attention appends its keys and
// values to the cache layer; cross-attention projects the encoder output once and reuses it.
struct AttentionImpl : torch::nn::Module {
  AttentionImpl(const Config& c, int64_t heads, bool cross)
      : heads(heads), head_dim(c.d_model / heads), cross(cross), dropout_p(c.attention_dropout) {
    // HF's registration order (k, v, q, out): named_parameters order, and so PEFT's.
    k_proj = register_module("k_proj", nn::Linear(c.d_model, c.d_model));
    v_proj = register_module("v_proj", nn::Linear(c.d_model, c.d_model));
    q_proj = register_module("q_proj", nn::Linear(c.d_model, c.d_model));
    out_proj = register_module("out_proj", nn::Linear(c.d_model, c.d_model));
  }

  // x: [B, T, C]; source: [B, S, C] encoder output (cross) or undefined (self);
  // mask: additive, broadcastable to [B, H, T, keys]; cache: nullptr or this layer's entry → [B, T, C]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& source, const torch::Tensor& mask,
                        KvCache::Layer* cache) {
    const int64_t B = x.size(0);
    auto split = [&](const torch::Tensor& y) { return y.view({B, y.size(1), heads, head_dim}); };  // [B, L, H, D]
    // q scaled by D^-0.5 after its bias, as HF; the scores are then divided by 1 (exact).
    const auto q = split(q_proj(x) * std::pow(static_cast<double>(head_dim), -0.5));  // [B, T, H, D]
    torch::Tensor k, v;                                                              // [B, keys, H, D]
    if (cross && cache != nullptr && cache->key.defined()) {
      k = cache->key.transpose(1, 2);
      v = cache->value.transpose(1, 2);
    } else {
      k = split(k_proj(cross ? source : x));
      v = split(v_proj(cross ? source : x));
      if (cache != nullptr) {  // the cache holds [B, H, L, D]
        if (cross) {
          cache->key = k.transpose(1, 2);
          cache->value = v.transpose(1, 2);
        } else {
          auto [key, value] = append_to_cache(*cache, k.transpose(1, 2), v.transpose(1, 2));
          k = key.transpose(1, 2);
          v = value.transpose(1, 2);
        }
      }
    }
    return out_proj(nn::multi_head_attention(q, k, v, mask, /*divisor=*/1.0, dropout_p, is_training()));
  }

  int64_t heads, head_dim;
  bool cross;
  double dropout_p;
  nn::Linear k_proj{nullptr}, v_proj{nullptr}, q_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(Attention);

// The feed-forward half of both layer kinds: LN(x + dropout(fc2(activation_dropout(act(fc1(x)))))).
// x: [B, L, C] → [B, L, C]
torch::Tensor feed_forward(const torch::Tensor& x, nn::Activation act, nn::Linear& fc1, nn::Linear& fc2,
                           nn::Dropout& activation_dropout, nn::Dropout& dropout,
                           torch::nn::LayerNorm& final_layer_norm) {
  const auto h = activation_dropout(nn::apply_activation(act, fc1(x)));  // [B, L, F]
  return final_layer_norm(x + dropout(fc2(h)));
}

// transformers v4.40.2 modeling_bart.py: BartEncoderLayer (post-LN)
struct EncoderLayerImpl : torch::nn::Module {
  explicit EncoderLayerImpl(const Config& c) : act(c.activation_function) {
    self_attn = register_module("self_attn", Attention(c, c.encoder_attention_heads, /*cross=*/false));
    self_attn_layer_norm = register_module("self_attn_layer_norm", layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
    activation_dropout = register_module("activation_dropout", nn::Dropout(c.activation_dropout));
    fc1 = register_module("fc1", nn::Linear(c.d_model, c.encoder_ffn_dim));
    fc2 = register_module("fc2", nn::Linear(c.encoder_ffn_dim, c.d_model));
    final_layer_norm = register_module("final_layer_norm", layer_norm(c));
  }

  // h: [B, S, C], mask: [B, 1, 1, S] or undefined → [B, S, C]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask) {
    auto x = self_attn_layer_norm(h + dropout(self_attn(h, torch::Tensor(), mask, nullptr)));
    x = feed_forward(x, act, fc1, fc2, activation_dropout, dropout, final_layer_norm);
    if (x.scalar_type() == torch::kHalf && (x.isinf().any().item<bool>() || x.isnan().any().item<bool>())) {
      const double clamp = 65504.0 - 1000.0;  // HF: finfo(float16).max - 1000
      x = torch::clamp(x, -clamp, clamp);
    }
    return x;
  }

  nn::Activation act;
  Attention self_attn{nullptr};
  torch::nn::LayerNorm self_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  nn::Dropout dropout{nullptr}, activation_dropout{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(EncoderLayer);

// transformers v4.40.2 modeling_bart.py: BartDecoderLayer (post-LN; self, cross, feed-forward)
struct DecoderLayerImpl : torch::nn::Module {
  explicit DecoderLayerImpl(const Config& c) : act(c.activation_function) {
    self_attn = register_module("self_attn", Attention(c, c.decoder_attention_heads, /*cross=*/false));
    self_attn_layer_norm = register_module("self_attn_layer_norm", layer_norm(c));
    encoder_attn = register_module("encoder_attn", Attention(c, c.decoder_attention_heads, /*cross=*/true));
    encoder_attn_layer_norm = register_module("encoder_attn_layer_norm", layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
    activation_dropout = register_module("activation_dropout", nn::Dropout(c.activation_dropout));
    fc1 = register_module("fc1", nn::Linear(c.d_model, c.decoder_ffn_dim));
    fc2 = register_module("fc2", nn::Linear(c.decoder_ffn_dim, c.d_model));
    final_layer_norm = register_module("final_layer_norm", layer_norm(c));
  }

  // h: [B, T, C], self_mask: [B or 1, 1, T, P + T] or undefined, encoder: [B, S, C],
  // cross_mask: [B, 1, 1, S] or undefined; self_cache/cross_cache: nullptr without a cache → [B, T, C]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& self_mask, const torch::Tensor& encoder,
                        const torch::Tensor& cross_mask, KvCache::Layer* self_cache,
                        KvCache::Layer* cross_cache) {
    auto x = self_attn_layer_norm(h + dropout(self_attn(h, torch::Tensor(), self_mask, self_cache)));
    x = encoder_attn_layer_norm(x + dropout(encoder_attn(x, encoder, cross_mask, cross_cache)));
    return feed_forward(x, act, fc1, fc2, activation_dropout, dropout, final_layer_norm);
  }

  nn::Activation act;
  Attention self_attn{nullptr}, encoder_attn{nullptr};
  torch::nn::LayerNorm self_attn_layer_norm{nullptr}, encoder_attn_layer_norm{nullptr},
      final_layer_norm{nullptr};
  nn::Dropout dropout{nullptr}, activation_dropout{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(DecoderLayer);

// transformers v4.40.2 modeling_bart.py: BartEncoder / BartDecoder's common part — the scaled tied
// token embedding (BartScaledWordEmbedding), BartLearnedPositionalEmbedding (offset 2, positions
// ignore padding), layernorm_embedding and dropout; the layers are the caller's.
struct StackImpl : torch::nn::Module {
  explicit StackImpl(const Config& c)
      : embed_scale(c.scale_embedding ? std::sqrt(static_cast<double>(c.d_model)) : 1.0) {
    embed_positions = register_module(
        "embed_positions", torch::nn::Embedding(c.max_position_embeddings + kPositionOffset, c.d_model));
    layers = register_module("layers", torch::nn::ModuleList());
    layernorm_embedding = register_module("layernorm_embedding", layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
  }

  // ids: [B, L] at positions past..past+L-1; shared: the tied token embedding → [B, L, C]
  torch::Tensor embed(const torch::Tensor& ids, torch::nn::Embedding& shared, int64_t past) {
    const auto positions =
        torch::arange(past + kPositionOffset, past + kPositionOffset + ids.size(1), ids.options().dtype(torch::kLong));
    const auto h = shared(ids) * embed_scale + embed_positions(positions).unsqueeze(0);
    return dropout(layernorm_embedding(h));
  }

  // LayerDrop (HF: one torch.rand([]) per layer while training): true → skip this layer.
  bool drop_layer(double layerdrop) const {
    return is_training() && layerdrop > 0 && torch::rand({}).item<double>() < layerdrop;
  }

  static constexpr int64_t kPositionOffset = 2;
  double embed_scale;
  torch::nn::Embedding embed_positions{nullptr};
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm layernorm_embedding{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Stack);

// transformers v4.40.2 modeling_bart.py: BartModel (shared, encoder, decoder)
struct BodyImpl : torch::nn::Module {
  explicit BodyImpl(const Config& c) : config(c) {
    shared = register_module(
        "shared", torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.d_model).padding_idx(c.pad_token_id)));
    encoder = register_module("encoder", Stack(c));
    for (int64_t i = 0; i < c.encoder_layers; ++i) encoder->layers->push_back(EncoderLayer(c));
    decoder = register_module("decoder", Stack(c));
    for (int64_t i = 0; i < c.decoder_layers; ++i) decoder->layers->push_back(DecoderLayer(c));
  }

  // Runs the encoder (unless the cache holds its output) and the decoder on `decoder_ids`; fills
  // last_hidden_state (decoder), encoder_last_hidden_state and the hidden states.
  void forward(const ModelInputs& in, const torch::Tensor& decoder_ids, ModelOutputs& out) {
    KvCache* cache = in.cache;
    torch::Tensor enc, enc_mask;  // [B, S, C], [B, S] or undefined
    if (cache != nullptr && cache->encoder_hidden_states.defined()) {
      enc = cache->encoder_hidden_states;
      enc_mask = cache->encoder_attention_mask;
    } else {
      enc_mask = in.attention_mask;
      enc = encode(in.input_ids, enc_mask, in.output_hidden_states ? &out.encoder_hidden_states : nullptr);
      if (cache != nullptr) {
        ADALORA_CHECK(cache->length() == 0, "BART: a cache with decoder positions but no encoder output");
        cache->encoder_hidden_states = enc;
        cache->encoder_attention_mask = enc_mask;
        cache->self_attention.assign(config.decoder_layers, {});
        cache->cross_attention.assign(config.decoder_layers, {});
      }
    }
    out.encoder_last_hidden_state = enc;

    const int64_t past = cache != nullptr ? cache->length() : 0;
    check_ids(config, decoder_ids, "decoder_input_ids", past);
    auto h = decoder->embed(decoder_ids, shared, past);  // [B, T, C]
    const int64_t T = decoder_ids.size(1);
    // A single new token with no padding mask sees every cached key: no mask needed (as HF).
    const auto self_mask = T == 1 && !in.decoder_attention_mask.defined()
                               ? torch::Tensor()
                               : causal_attention_mask(in.decoder_attention_mask, T, past, h.scalar_type(),
                                                       MaskCombine::Clamp, h.device());
    const auto cross_mask = enc_mask.defined() ? padding_mask(enc_mask, h.scalar_type()) : torch::Tensor();
    for (size_t i = 0; i < decoder->layers->size(); ++i) {
      if (in.output_hidden_states) out.hidden_states.push_back(h);
      if (decoder->drop_layer(config.decoder_layerdrop)) continue;
      h = decoder->layers[i]->as<DecoderLayerImpl>()->forward(
          h, self_mask, enc, cross_mask, cache ? &cache->self_attention[i] : nullptr,
          cache ? &cache->cross_attention[i] : nullptr);
    }
    if (in.output_hidden_states) out.hidden_states.push_back(h);
    out.last_hidden_state = h;
  }

  // ids: [B, S], mask: [B, S] or undefined → [B, S, C]; hidden: embedding output and each layer's
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask, std::vector<torch::Tensor>* hidden) {
    check_ids(config, ids, "input_ids");
    ADALORA_CHECK(!mask.defined() || mask.sizes() == ids.sizes(), "BART: attention_mask: expected shape ",
                  ids.sizes(), " (as input_ids), got ", mask.sizes());
    auto h = encoder->embed(ids, shared, 0);  // [B, S, C]
    const auto additive = mask.defined() ? padding_mask(mask, h.scalar_type()) : torch::Tensor();
    for (const auto& layer : *encoder->layers) {
      if (hidden) hidden->push_back(h);
      if (encoder->drop_layer(config.encoder_layerdrop)) continue;
      h = layer->as<EncoderLayerImpl>()->forward(h, additive);
    }
    if (hidden) hidden->push_back(h);
    return h;
  }

  Config config;
  torch::nn::Embedding shared{nullptr};
  Stack encoder{nullptr}, decoder{nullptr};
};
TORCH_MODULE(Body);

// ---------------------------------------------------------------------------------------------
// The model: BartModel and BartForConditionalGeneration.

class BartModelImpl : public Model {
 public:
  BartModelImpl(HfConfig hf, Config c, TaskHead head) : hf_(std::move(hf)), c_(std::move(c)), head_(head) {
    if (head != TaskHead::None && head != TaskHead::Seq2SeqLM) {
      throw Error(str_cat(hf_.source(), ": BART supports the task heads none (BartModel) and seq2seq_lm ",
                          "(BartForConditionalGeneration), got ", task_head_name(head)));
    }
    body_ = Body(c_);
    if (head == TaskHead::None) {
      for (const auto& child : body_->named_children()) register_module(child.key(), child.value());
    } else {
      register_module("model", body_);
      // A saved buffer, not a parameter: loaded and saved, never trained (zero in real checkpoints).
      final_logits_bias_ = register_buffer("final_logits_bias", torch::zeros({1, c_.vocab_size}));  // [1, V]
    }
  }

  ModelOutputs forward(const ModelInputs& in) override {
    // BartForConditionalGeneration shifts the labels; BartModel (also reached without labels)
    // shifts input_ids.
    auto decoder_ids = in.decoder_input_ids;  // [B, T]
    if (!decoder_ids.defined()) {
      const bool from_labels = head_ == TaskHead::Seq2SeqLM && in.labels.defined();
      const auto& source = from_labels ? in.labels : in.input_ids;
      ADALORA_CHECK(source.defined() && source.dim() == 2,
                    "BART: expected decoder_input_ids, labels or input_ids of shape [batch, length]");
      decoder_ids = shift_tokens_right(source, c_.pad_token_id, c_.decoder_start_token_id);
    }
    ModelOutputs out;
    body_->forward(in, decoder_ids, out);
    if (head_ == TaskHead::Seq2SeqLM) {
      // Tied LM head: h · sharedᵀ + final_logits_bias. [B, T, V]
      out.logits = torch::linear(out.last_hidden_state, body_->shared->weight) + final_logits_bias_;
      if (in.labels.defined()) out.loss = token_cross_entropy(out.logits, in.labels);  // -100 ignored
    }
    return out;
  }

  const HfConfig& config() const override { return hf_; }
  TaskHead head() const override { return head_; }
  std::string hf_class() const override {
    return head_ == TaskHead::None ? "BartModel" : "BartForConditionalGeneration";
  }
  std::string base_model_prefix() const override { return "model"; }
  std::vector<std::string> other_head_prefixes() const override {
    // Other heads, and the tied copies of model.shared.weight some checkpoints still hold (HF
    // re-ties them to shared on load).
    return {"classification_head.", "qa_outputs.", "final_logits_bias", "lm_head.",
            "model.encoder.embed_tokens.", "model.decoder.embed_tokens.", "encoder.embed_tokens.",
            "decoder.embed_tokens."};
  }
  void init_weights() override {
    nn::init_hf_weights(*this, c_.init_std);
    torch::NoGradGuard no_grad;
    if (final_logits_bias_.defined()) final_logits_bias_.zero_();
  }
  bool is_encoder_decoder() const override { return true; }

 private:
  HfConfig hf_;
  Config c_;
  TaskHead head_;
  Body body_{nullptr};
  torch::Tensor final_logits_bias_;
};

}  // namespace

ModelPtr build_bart(const HfConfig& config, TaskHead head) {
  return make_model<BartModelImpl>(config, resolve(config), head);
}

}  // namespace adalora::models
