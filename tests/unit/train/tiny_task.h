// Shared by the trainer and train-state tests: a tiny random BERT classifier (hidden 32, 2 layers)
// and a learnable synthetic task — label 1 when token 5 occurs in the sequence.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/data/sampler.h"
#include "adalora/io/hf_config.h"
#include "adalora/models/model.h"
#include "adalora/peft/registry.h"
#include "adalora/train/collate.h"

namespace adalora::train::tiny {

inline constexpr int64_t kNeedle = 5;  // the token whose presence is the label

/// `n` sequences "[CLS] w… [SEP]" of 3–10 random words from [6, 30); half of them (alternating)
/// get the needle at a random position. Deterministic in `seed`.
inline EncodedDataset needle_dataset(int64_t n, uint64_t seed = 7) {
  data::Xoshiro256 rng(seed);
  EncodedDataset d;
  d.pad_id = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = 3 + static_cast<int64_t>(rng.uniform(8));
    std::vector<int64_t> ids = {1};
    for (int64_t t = 0; t < len; ++t) ids.push_back(6 + static_cast<int64_t>(rng.uniform(24)));
    const bool positive = i % 2 == 0;
    if (positive) ids[1 + rng.uniform(static_cast<uint64_t>(len))] = kNeedle;
    ids.push_back(2);
    d.token_type_ids.emplace_back(ids.size(), 0);
    d.input_ids.push_back(std::move(ids));
    d.labels.push_back(positive ? 1 : 0);
  }
  return d;
}

/// A tiny BertForSequenceClassification with 2 labels, initialised from `seed`.
inline models::ModelPtr tiny_bert(double dropout = 0.1, uint64_t seed = 0) {
  io::Json j = {{"model_type", "bert"},
                {"vocab_size", 32},
                {"hidden_size", 32},
                {"num_hidden_layers", 2},
                {"num_attention_heads", 4},
                {"intermediate_size", 64},
                {"max_position_embeddings", 32},
                {"type_vocab_size", 2},
                {"hidden_act", "gelu"},
                {"initializer_range", 0.2},
                {"hidden_dropout_prob", dropout},
                {"attention_probs_dropout_prob", dropout},
                {"layer_norm_eps", 1e-12},
                {"num_labels", 2}};
  torch::manual_seed(seed);
  return models::build_model(io::HfConfig(j, "tiny bert config"),
                             models::TaskHead::SequenceClassification);
}

/// AdaLoRA on query/value (init_r 4 → target_r 2) plus the classifier; phases for `total_step`:
/// warm-up ≤ tinit, budgeting, final tfinal steps.
inline io::Json adalora_config(int64_t tinit, int64_t tfinal, int64_t delta_t) {
  return {{"init_r", 4},
          {"target_r", 2},
          {"tinit", tinit},
          {"tfinal", tfinal},
          {"deltaT", delta_t},
          {"lora_alpha", 8},
          {"orth_reg_weight", 0.1},
          {"target_modules", {"query", "value"}},
          {"modules_to_save", {"classifier"}}};
}

inline io::Json lora_config() {
  return {{"r", 4},
          {"lora_alpha", 8},
          {"target_modules", {"query", "value"}},
          {"modules_to_save", {"classifier"}}};
}

/// Mean loss and accuracy of `model` over `data` in eval mode, batches of 16.
struct LossAndAccuracy {
  double loss = 0;
  double accuracy = 0;
};
inline LossAndAccuracy evaluate_on(models::Model& model, const EncodedDataset& data) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < data.size(); begin += 16) {
    std::vector<int64_t> idx;
    for (int64_t i = begin; i < std::min(begin + 16, data.size()); ++i) idx.push_back(i);
    const Batch b = collate(data, idx);
    const auto out = model.forward(b.to_model_inputs());
    loss_sum += out.loss.item<double>() * static_cast<double>(idx.size());
    correct += out.logits.argmax(-1).eq(b.labels).sum().item<int64_t>();
  }
  model.train(was_training);
  const auto n = static_cast<double>(data.size());
  return {loss_sum / n, static_cast<double>(correct) / n};
}

/// Copies of the method's trainable tensors, by name.
inline std::vector<std::pair<std::string, torch::Tensor>> snapshot(const peft::Method& method) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [name, t] : method.trainable()) out.emplace_back(name, t.detach().clone());
  return out;
}

}  // namespace adalora::train::tiny
