// BERT and RoBERTa encoders with their task heads, as transformers v4.40.2 modeling_bert.py and
// modeling_roberta.py (eager attention, absolute position embeddings, no decoder/cross-attention,
// no past key values). RoBERTa is BERT with position ids derived from the input ids, a different
// classification head and MLM head; everything else is shared here.
//
// Legend: B batch, T sequence, C hidden_size, H heads, D head size (C / H), V vocab.
#include <cmath>

#include "adalora/core/error.h"
#include "adalora/io/hf_config_non_null.h"
#include "adalora/models/causal_mask.h"
#include "adalora/models/heads.h"
#include "adalora/models/make_model.h"
#include "adalora/models/model.h"
#include "adalora/nn/activations.h"
#include "adalora/nn/attention.h"
#include "adalora/nn/dropout.h"
#include "adalora/nn/init.h"
#include "adalora/nn/linear.h"
#include "adalora/nn/shared_input_linear.h"

namespace adalora::models {
namespace {

// ---------------------------------------------------------------------------------------------
// Config: BertConfig / RobertaConfig fields with HF's class defaults.

struct Config {
  bool roberta = false;
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  nn::Activation hidden_act = nn::Activation::Gelu;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;
  std::optional<double> classifier_dropout;
  int64_t num_labels = 2;
  std::optional<std::string> problem_type;
};

Config resolve(const HfConfig& hf, bool roberta) {
  Config c;
  c.roberta = roberta;
  c.vocab_size = io::get_non_null<int64_t>(hf, "vocab_size", roberta ? 50265 : 30522);
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
  c.pad_token_id = hf.get<int64_t>("pad_token_id", roberta ? 1 : 0);
  c.classifier_dropout = hf.get_optional<double>("classifier_dropout");
  c.num_labels = hf.num_labels();
  c.problem_type = hf.problem_type();

  for (const char* field : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings", "type_vocab_size"}) {
    const int64_t v = hf.get<int64_t>(field, 1);
    if (v < 1) hf.fail(field, "a positive integer", std::to_string(v));
  }
  if (c.hidden_size % c.num_attention_heads != 0) {
    hf.fail("num_attention_heads", str_cat("a divisor of hidden_size=", c.hidden_size),
            std::to_string(c.num_attention_heads));
  }
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size) {
    hf.fail("pad_token_id", str_cat("a token id below vocab_size=", c.vocab_size),
            std::to_string(c.pad_token_id));
  }
  if (roberta && c.pad_token_id >= c.max_position_embeddings) {
    hf.fail("pad_token_id", str_cat("below max_position_embeddings=", c.max_position_embeddings,
                                    " (RoBERTa uses it as the position padding index)"),
            std::to_string(c.pad_token_id));
  }
  hf.get_choice("position_embedding_type", "absolute", {"absolute"});
  if (hf.get<bool>("is_decoder", false)) hf.fail("is_decoder", "false (encoder only)", "true");
  if (hf.get<bool>("add_cross_attention", false)) {
    hf.fail("add_cross_attention", "false (encoder only)", "true");
  }
  return c;
}

torch::nn::LayerNorm layer_norm(const Config& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

// ---------------------------------------------------------------------------------------------
// Blocks.

// transformers v4.40.2 modeling_bert.py: BertEmbeddings (+ RobertaEmbeddings' position ids)
struct EmbeddingsImpl : torch::nn::Module {
  explicit EmbeddingsImpl(const Config& c) : roberta(c.roberta), pad(c.pad_token_id) {
    word_embeddings = register_module(
        "word_embeddings",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(pad)));
    auto pos = torch::nn::EmbeddingOptions(c.max_position_embeddings, c.hidden_size);
    if (roberta) pos.padding_idx(pad);
    position_embeddings = register_module("position_embeddings", torch::nn::Embedding(pos));
    token_type_embeddings = register_module(
        "token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
    LayerNorm = register_module("LayerNorm", layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }

  // input_ids, token_type_ids: [B, T] → [B, T, C]
  torch::Tensor forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids) {
    const int64_t T = input_ids.size(1);
    torch::Tensor position_ids;  // [B, T] or [1, T]
    if (roberta) {
      // create_position_ids_from_input_ids: real tokens get pad+1, pad+2, ...; pads get pad.
      const auto mask = input_ids.ne(pad).to(torch::kInt);
      position_ids = (torch::cumsum(mask, 1).to(torch::kInt) * mask).to(torch::kLong) + pad;
    } else {
      position_ids = torch::arange(T, input_ids.options().dtype(torch::kLong)).unsqueeze(0);
    }
    if (!token_type_ids.defined()) token_type_ids = torch::zeros_like(input_ids);
    auto x = word_embeddings(input_ids) + token_type_embeddings(token_type_ids);
    x = x + position_embeddings(position_ids);
    return dropout(LayerNorm(x));
  }

  bool roberta;
  int64_t pad;
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr},
      token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Embeddings);

// transformers v4.40.2 modeling_bert.py: BertSelfAttention (eager, absolute positions)
struct SelfAttentionImpl : torch::nn::Module {
  explicit SelfAttentionImpl(const Config& c)
      : heads(c.num_attention_heads), head_size(c.hidden_size / c.num_attention_heads) {
    query = register_module("query", nn::Linear(c.hidden_size, c.hidden_size));
    key = register_module("key", nn::Linear(c.hidden_size, c.hidden_size));
    value = register_module("value", nn::Linear(c.hidden_size, c.hidden_size));
    dropout = register_module("dropout", nn::Dropout(c.attention_probs_dropout_prob));
  }

  // h: [B, T, C], additive_mask: [B, 1, 1, T] → context [B, T, C]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& additive_mask) {
    const int64_t B = h.size(0), T = h.size(1);
    auto split = [&](const torch::Tensor& x) { return x.view({B, T, heads, head_size}); };  // [B, T, H, D]
    // q, k, v with their adapters' rank-r products in one pass over h (nn/shared_input_linear.h).
    const auto qkv = nn::shared_input_linears(h, {query.get(), key.get(), value.get()});
    // softmax(q·kᵀ / sqrt(D) + mask) → dropout → ·v, per head in parallel (nn/attention.h).
    return nn::multi_head_attention(split(qkv[0]), split(qkv[1]), split(qkv[2]), additive_mask,
                                    std::sqrt(static_cast<double>(head_size)), dropout->p(), is_training());
  }

  int64_t heads, head_size;
  nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(SelfAttention);

// transformers v4.40.2 modeling_bert.py: BertSelfOutput and BertOutput (dense, dropout, residual LN)
struct ResidualOutputImpl : torch::nn::Module {
  ResidualOutputImpl(const Config& c, int64_t in_features) {
    dense = register_module("dense", nn::Linear(in_features, c.hidden_size));
    LayerNorm = register_module("LayerNorm", layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }
  // x: [B, T, in], residual: [B, T, C] → [B, T, C]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    // Eager on purpose: nn/dropout_add_layer_norm measured 1.05-1.07x slower (docs/performance.md).
    return LayerNorm(dropout(dense(x)) + residual);
  }
  nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ResidualOutput);

// transformers v4.40.2 modeling_bert.py: BertAttention
struct AttentionImpl : torch::nn::Module {
  explicit AttentionImpl(const Config& c) {
    self = register_module("self", SelfAttention(c));
    output = register_module("output", ResidualOutput(c, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& additive_mask) {
    return output(self(h, additive_mask), h);
  }
  SelfAttention self{nullptr};
  ResidualOutput output{nullptr};
};
TORCH_MODULE(Attention);

// transformers v4.40.2 modeling_bert.py: BertIntermediate
struct IntermediateImpl : torch::nn::Module {
  explicit IntermediateImpl(const Config& c) : act(c.hidden_act) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x) { return nn::apply_activation(act, dense(x)); }
  nn::Activation act;
  nn::Linear dense{nullptr};
};
TORCH_MODULE(Intermediate);

// transformers v4.40.2 modeling_bert.py: BertLayer (post-LN)
struct LayerImpl : torch::nn::Module {
  explicit LayerImpl(const Config& c) {
    attention = register_module("attention", Attention(c));
    intermediate = register_module("intermediate", Intermediate(c));
    output = register_module("output", ResidualOutput(c, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& additive_mask) {
    const auto a = attention(h, additive_mask);
    return output(intermediate(a), a);
  }
  Attention attention{nullptr};
  Intermediate intermediate{nullptr};
  ResidualOutput output{nullptr};
};
TORCH_MODULE(Layer);

// transformers v4.40.2 modeling_bert.py: BertPooler
struct PoolerImpl : torch::nn::Module {
  explicit PoolerImpl(const Config& c) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  }
  // h: [B, T, C] → [B, C]
  torch::Tensor forward(const torch::Tensor& h) {
    return torch::tanh(dense(h.select(1, 0)));
  }
  nn::Linear dense{nullptr};
};
TORCH_MODULE(Pooler);

// transformers v4.40.2 modeling_bert.py: BertModel (embeddings, encoder.layer.{i}, pooler)
struct EncoderImpl : torch::nn::Module {
  explicit EncoderImpl(const Config& c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(Layer(c));
  }
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(Encoder);

struct BodyImpl : torch::nn::Module {
  BodyImpl(const Config& c, bool add_pooling_layer) {
    embeddings = register_module("embeddings", Embeddings(c));
    encoder = register_module("encoder", Encoder(c));
    if (add_pooling_layer) pooler = register_module("pooler", Pooler(c));
  }

  void forward(const ModelInputs& in, ModelOutputs& out) {
    auto h = embeddings(in.input_ids, in.token_type_ids);  // [B, T, C]
    const auto mask = in.attention_mask.defined() ? in.attention_mask
                                                  : torch::ones_like(in.input_ids);
    // get_extended_attention_mask: (1 - m) * finfo(dtype).min on keys. [B, 1, 1, T]
    const auto additive =
        (1.0 - mask.to(h.scalar_type()).unsqueeze(1).unsqueeze(2)) * finfo_min(h.scalar_type());
    if (in.output_hidden_states) out.hidden_states.push_back(h);
    for (const auto& module : *encoder->layer) {
      h = module->as<LayerImpl>()->forward(h, additive);
      if (in.output_hidden_states) out.hidden_states.push_back(h);
    }
    out.last_hidden_state = h;
    if (pooler) out.pooler_output = pooler(h);
  }

  Embeddings embeddings{nullptr};
  Encoder encoder{nullptr};
  Pooler pooler{nullptr};
};
TORCH_MODULE(Body);

// ---------------------------------------------------------------------------------------------
// Heads.

// transformers v4.40.2 modeling_roberta.py: RobertaClassificationHead
struct RobertaClassificationHeadImpl : torch::nn::Module {
  explicit RobertaClassificationHeadImpl(const Config& c) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
    dropout = register_module(
        "dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
    out_proj = register_module("out_proj", nn::Linear(c.hidden_size, c.num_labels));
  }
  // h: [B, T, C] → [B, num_labels]
  torch::Tensor forward(const torch::Tensor& h) {
    auto x = dropout(h.select(1, 0));
    x = dropout(torch::tanh(dense(x)));
    return out_proj(x);
  }
  nn::Linear dense{nullptr}, out_proj{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(RobertaClassificationHead);

// transformers v4.40.2 modeling_bert.py: BertPredictionHeadTransform + BertLMPredictionHead
// (`cls.predictions.transform.{dense,LayerNorm}`, `cls.predictions.bias`), and
// modeling_roberta.py: RobertaLMHead (`lm_head.{dense,layer_norm,bias}`, exact GELU always).
// The decoder weight is tied to the word embeddings and is not a parameter of its own.
struct TransformImpl : torch::nn::Module {
  explicit TransformImpl(const Config& c) : act(c.hidden_act) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
    LayerNorm = register_module("LayerNorm", layer_norm(c));
  }
  torch::Tensor forward(const torch::Tensor& h) {
    return LayerNorm(nn::apply_activation(act, dense(h)));
  }
  nn::Activation act;
  nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(Transform);

struct BertLMPredictionHeadImpl : torch::nn::Module {
  explicit BertLMPredictionHeadImpl(const Config& c) {
    transform = register_module("transform", Transform(c));
    bias = register_parameter("bias", torch::zeros({c.vocab_size}));
  }
  Transform transform{nullptr};
  torch::Tensor bias;  // [V]
};
TORCH_MODULE(BertLMPredictionHead);

struct BertOnlyMLMHeadImpl : torch::nn::Module {
  explicit BertOnlyMLMHeadImpl(const Config& c) {
    predictions = register_module("predictions", BertLMPredictionHead(c));
  }
  // h: [B, T, C], decoder_weight: [V, C] → [B, T, V]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& decoder_weight) {
    return torch::linear(predictions->transform(h), decoder_weight, predictions->bias);
  }
  BertLMPredictionHead predictions{nullptr};
};
TORCH_MODULE(BertOnlyMLMHead);

struct RobertaLMHeadImpl : torch::nn::Module {
  explicit RobertaLMHeadImpl(const Config& c) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
    layer_norm = register_module("layer_norm", models::layer_norm(c));
    bias = register_parameter("bias", torch::zeros({c.vocab_size}));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& decoder_weight) {
    const auto x = layer_norm(torch::gelu(dense(h)));
    return torch::linear(x, decoder_weight, bias);
  }
  nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::Tensor bias;  // [V]
};
TORCH_MODULE(RobertaLMHead);

// ---------------------------------------------------------------------------------------------
// The model: Bert/Roberta {Model, ForSequenceClassification, ForTokenClassification,
// ForQuestionAnswering, ForMaskedLM}.

class BertFamilyModel : public Model {
 public:
  BertFamilyModel(HfConfig hf, Config c, TaskHead head)
      : hf_(std::move(hf)), c_(std::move(c)), head_(head) {
    // HF builds the encoder with a pooler for the bare model and BERT's sequence classifier only.
    const bool pooling = head == TaskHead::None ||
                         (head == TaskHead::SequenceClassification && !c_.roberta);
    body_ = Body(c_, pooling);
    if (head == TaskHead::None) {
      for (const auto& child : body_->named_children()) register_module(child.key(), child.value());
    } else {
      register_module(prefix(), body_);
    }
    const double head_dropout = c_.classifier_dropout.value_or(c_.hidden_dropout_prob);
    switch (head) {
      case TaskHead::None:
        break;
      case TaskHead::SequenceClassification:
        if (c_.roberta) {
          roberta_classifier_ = register_module("classifier", RobertaClassificationHead(c_));
        } else {
          dropout_ = register_module("dropout", nn::Dropout(head_dropout));
          classifier_ = register_module("classifier", nn::Linear(c_.hidden_size, c_.num_labels));
        }
        break;
      case TaskHead::TokenClassification:
        dropout_ = register_module("dropout", nn::Dropout(head_dropout));
        classifier_ = register_module("classifier", nn::Linear(c_.hidden_size, c_.num_labels));
        break;
      case TaskHead::QuestionAnswering:
        classifier_ = register_module("qa_outputs", nn::Linear(c_.hidden_size, c_.num_labels));
        break;
      case TaskHead::MaskedLM:
        if (c_.roberta) {
          roberta_lm_head_ = register_module("lm_head", RobertaLMHead(c_));
        } else {
          bert_mlm_head_ = register_module("cls", BertOnlyMLMHead(c_));
        }
        break;
      case TaskHead::CausalLM:
      case TaskHead::Seq2SeqLM:
        throw Error(str_cat(hf_.source(), ": the ", task_head_name(head),
                            " head needs a decoder; BERT/RoBERTa are encoders"));
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
        out.logits = c_.roberta ? roberta_classifier_(h)
                                : classifier_(dropout_(out.pooler_output));  // [B, num_labels]
        if (in.labels.defined()) {
          out.loss = sequence_classification_loss(out.logits, in.labels, c_.num_labels,
                                                  c_.problem_type, ProblemTypeRules::Bert);
        }
        break;
      case TaskHead::TokenClassification:
        out.logits = classifier_(dropout_(h));  // [B, T, num_labels]
        if (in.labels.defined()) out.loss = token_cross_entropy(out.logits, in.labels);
        break;
      case TaskHead::QuestionAnswering:
        question_answering_outputs(classifier_(h), in, out);
        break;
      case TaskHead::MaskedLM: {
        const auto& tied = body_->embeddings->word_embeddings->weight;  // [V, C]
        out.logits = c_.roberta ? roberta_lm_head_(h, tied) : bert_mlm_head_(h, tied);
        if (in.labels.defined()) out.loss = token_cross_entropy(out.logits, in.labels);
        break;
      }
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
    return std::string(c_.roberta ? "Roberta" : "Bert") + suffix[static_cast<int>(head_)];
  }
  std::string base_model_prefix() const override { return prefix(); }
  std::vector<std::string> other_head_prefixes() const override {
    const std::string p = prefix();
    return {"cls.", "lm_head.", "classifier.", "qa_outputs.", p + ".pooler.", "pooler."};
  }
  void init_weights() override {
    nn::init_hf_weights(*this, c_.initializer_range);
    torch::NoGradGuard no_grad;
    if (bert_mlm_head_) bert_mlm_head_->predictions->bias.zero_();
    if (roberta_lm_head_) roberta_lm_head_->bias.zero_();
  }

 private:
  std::string prefix() const { return c_.roberta ? "roberta" : "bert"; }

  HfConfig hf_;
  Config c_;
  TaskHead head_;
  Body body_{nullptr};
  nn::Dropout dropout_{nullptr};
  nn::Linear classifier_{nullptr};
  RobertaClassificationHead roberta_classifier_{nullptr};
  BertOnlyMLMHead bert_mlm_head_{nullptr};
  RobertaLMHead roberta_lm_head_{nullptr};
};

}  // namespace

ModelPtr build_bert(const HfConfig& config, TaskHead head) {
  return make_model<BertFamilyModel>(config, resolve(config, /*roberta=*/false), head);
}

ModelPtr build_roberta(const HfConfig& config, TaskHead head) {
  return make_model<BertFamilyModel>(config, resolve(config, /*roberta=*/true), head);
}

}  // namespace adalora::models
