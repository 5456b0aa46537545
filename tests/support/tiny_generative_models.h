// Tiny generative models written for the generation tests and benchmark, implementing
// models::Model with the KV-cache contract of model.h — so decoding can be tested before (and
// independently of) the real GPT-2 / LLaMA / BART implementations:
//  - TinyCausalLm: token + position embeddings, one single-head causal self-attention with a
//    cache, padding mask and explicit position ids, tied output projection.
//  - TinySeq2Seq: a one-layer encoder, and a decoder with cached self-attention and cached
//    cross-attention; the encoder runs only on a cache's first call.
//  - BigramLm: logits[b, t] = table[input_ids[b, t]] — hand-checkable greedy and beam search.
// Header-only: the unit tests and bench/generate_bench.cpp include it.
#pragma once

#include <torch/torch.h>

#include <cmath>

#include "adalora/models/kv_cache.h"
#include "adalora/models/model.h"

namespace adalora::testing {

/// Single-head attention of q [B, T, H] over k, v [B, S, H]; `allowed` [B or 1, T, S] bool.
inline torch::Tensor tiny_attention(const torch::Tensor& q, const torch::Tensor& k,
                                    const torch::Tensor& v, const torch::Tensor& allowed) {
  torch::Tensor scores = q.matmul(k.transpose(1, 2)) / std::sqrt(static_cast<double>(q.size(-1)));
  scores = scores.masked_fill(allowed.logical_not(), -1e9);
  return scores.softmax(-1).matmul(v);
}

/// [1, T, S]: query i (absolute position past + i) sees keys 0..past + i.
inline torch::Tensor causal_allowed(int64_t past, int64_t t, int64_t s) {
  torch::Tensor qpos = torch::arange(past, past + t).view({t, 1});
  torch::Tensor kpos = torch::arange(s).view({1, s});
  return (kpos <= qpos).unsqueeze(0);
}

/// Appends [B, T, H] keys/values to a one-layer cache list and returns the full [B, S, H].
inline std::pair<torch::Tensor, torch::Tensor> cached(std::vector<models::KvCache::Layer>& layers,
                                                      const torch::Tensor& k,
                                                      const torch::Tensor& v) {
  if (layers.empty()) layers.resize(1);
  auto [kk, vv] = models::append_to_cache(layers[0], k.unsqueeze(1), v.unsqueeze(1));
  return {kk.squeeze(1), vv.squeeze(1)};
}

class TinyGenerativeBase : public models::Model {
 public:
  TinyGenerativeBase(const std::string& type, int64_t vocab, int64_t hidden, int64_t positions)
      : config_(io::Json{{"model_type", type},
                         {"vocab_size", vocab},
                         {"max_position_embeddings", positions}},
                "tiny " + type + " config") {
    wte = register_module("wte", torch::nn::Embedding(vocab, hidden));
    wpe = register_module("wpe", torch::nn::Embedding(positions, hidden));
    bias = register_parameter("bias", torch::randn({vocab}) * 0.1);
    torch::nn::init::normal_(wte->weight, 0, 1.0);
    torch::nn::init::normal_(wpe->weight, 0, 1.0);
  }
  const models::HfConfig& config() const override { return config_; }
  std::string base_model_prefix() const override { return ""; }
  std::vector<std::string> other_head_prefixes() const override { return {}; }
  void init_weights() override {}

 protected:
  torch::Tensor project(const torch::Tensor& h) const {  // [B, T, H] → [B, T, V]
    return h.matmul(wte->weight.t()) + bias;
  }
  torch::nn::Linear linear(const std::string& name, int64_t hidden) {
    return register_module(name, torch::nn::Linear(hidden, hidden));
  }

  models::HfConfig config_;
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::Tensor bias;
};

class TinyCausalLm : public TinyGenerativeBase {
 public:
  explicit TinyCausalLm(int64_t vocab = 17, int64_t hidden = 8, int64_t positions = 64)
      : TinyGenerativeBase("tiny_causal", vocab, hidden, positions) {
    q = linear("q", hidden), k = linear("k", hidden), v = linear("v", hidden);
  }
  models::TaskHead head() const override { return models::TaskHead::CausalLM; }
  std::string hf_class() const override { return "TinyCausalLm"; }

  models::ModelOutputs forward(const models::ModelInputs& in) override {
    const int64_t b = in.input_ids.size(0), t = in.input_ids.size(1);
    const int64_t past = in.cache ? in.cache->length() : 0;
    torch::Tensor pos = in.position_ids.defined()
                            ? in.position_ids
                            : torch::arange(past, past + t).unsqueeze(0).expand({b, t});
    torch::Tensor x = wte(in.input_ids) + wpe(pos);  // [B, T, H]
    torch::Tensor keys = k(x), values = v(x);
    if (in.cache) std::tie(keys, values) = cached(in.cache->self_attention, keys, values);
    const int64_t s = keys.size(1);
    torch::Tensor allowed = causal_allowed(past, t, s);  // [1, T, S]
    if (in.attention_mask.defined()) {
      allowed = allowed.logical_and(in.attention_mask.to(torch::kBool).view({b, 1, s}));
    }
    torch::Tensor h = x + torch::tanh(tiny_attention(q(x), keys, values, allowed));
    models::ModelOutputs out;
    out.logits = project(h);
    return out;
  }

  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr};
};

class TinySeq2Seq : public TinyGenerativeBase {
 public:
  explicit TinySeq2Seq(int64_t vocab = 17, int64_t hidden = 8, int64_t positions = 64)
      : TinyGenerativeBase("tiny_seq2seq", vocab, hidden, positions) {
    enc = linear("enc", hidden);
    q = linear("q", hidden), k = linear("k", hidden), v = linear("v", hidden);
    cq = linear("cq", hidden), ck = linear("ck", hidden), cv = linear("cv", hidden);
  }
  models::TaskHead head() const override { return models::TaskHead::Seq2SeqLM; }
  std::string hf_class() const override { return "TinySeq2Seq"; }
  bool is_encoder_decoder() const override { return true; }

  models::ModelOutputs forward(const models::ModelInputs& in) override {
    ++forward_calls;
    torch::Tensor encoded, enc_mask;  // [B, S, H], [B, S]
    if (in.cache && in.cache->encoder_hidden_states.defined()) {
      encoded = in.cache->encoder_hidden_states;
      enc_mask = in.cache->encoder_attention_mask;
    } else {
      ++encoder_calls;
      const int64_t s = in.input_ids.size(1);
      encoded = torch::tanh(enc(wte(in.input_ids) + wpe(torch::arange(s))));
      enc_mask = in.attention_mask.defined() ? in.attention_mask : torch::ones_like(in.input_ids);
      if (in.cache) {
        in.cache->encoder_hidden_states = encoded;
        in.cache->encoder_attention_mask = enc_mask;
      }
    }
    const torch::Tensor& ids = in.decoder_input_ids;
    const int64_t b = ids.size(0), t = ids.size(1);
    const int64_t past = in.cache ? in.cache->length() : 0;
    torch::Tensor y = wte(ids) + wpe(torch::arange(past, past + t));  // [B, T, H]
    torch::Tensor keys = k(y), values = v(y);
    if (in.cache) std::tie(keys, values) = cached(in.cache->self_attention, keys, values);
    torch::Tensor self = tiny_attention(q(y), keys, values, causal_allowed(past, t, keys.size(1)));
    torch::Tensor ckeys, cvalues;
    if (in.cache && !in.cache->cross_attention.empty()) {
      ckeys = in.cache->cross_attention[0].key.squeeze(1);
      cvalues = in.cache->cross_attention[0].value.squeeze(1);
    } else {
      ckeys = ck(encoded), cvalues = cv(encoded);
      if (in.cache) std::tie(ckeys, cvalues) = cached(in.cache->cross_attention, ckeys, cvalues);
    }
    torch::Tensor cross_allowed = enc_mask.to(torch::kBool).view({b, 1, -1}).expand({b, t, -1});
    torch::Tensor cross = tiny_attention(cq(y), ckeys, cvalues, cross_allowed);
    models::ModelOutputs out;
    out.logits = project(y + torch::tanh(self) + torch::tanh(cross));
    return out;
  }

  torch::nn::Linear enc{nullptr}, q{nullptr}, k{nullptr}, v{nullptr};
  torch::nn::Linear cq{nullptr}, ck{nullptr}, cv{nullptr};
  int64_t forward_calls = 0;
  int64_t encoder_calls = 0;
};

/// logits[b, t, :] = table[input_ids[b, t], :]; the cache is ignored (the next token depends on
/// the last one only), so both decoding paths see the same numbers.
class BigramLm : public models::Model {
 public:
  explicit BigramLm(torch::Tensor table)  // [V, V]
      : table_(std::move(table)),
        config_(io::Json{{"model_type", "bigram"}, {"vocab_size", table_.size(0)}}, "bigram") {}
  models::ModelOutputs forward(const models::ModelInputs& in) override {
    models::ModelOutputs out;
    out.logits = table_.index_select(0, in.input_ids.reshape(-1))
                     .view({in.input_ids.size(0), in.input_ids.size(1), -1});
    return out;
  }
  const models::HfConfig& config() const override { return config_; }
  models::TaskHead head() const override { return models::TaskHead::CausalLM; }
  std::string hf_class() const override { return "BigramLm"; }
  std::string base_model_prefix() const override { return ""; }
  std::vector<std::string> other_head_prefixes() const override { return {}; }
  void init_weights() override {}

 private:
  torch::Tensor table_;
  models::HfConfig config_;
};

}  // namespace adalora::testing
