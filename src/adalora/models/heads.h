// Losses and output splitting shared by the task heads (transformers v4.40.2 modeling_bert.py /
// modeling_deberta_v2.py *For<Task>.forward, modeling_gpt2.py GPT2LMHeadModel, modeling_llama.py
// LlamaForCausalLM). The head *modules* stay in each architecture's file because their names and
// layouts differ (BERT pooler + classifier, RoBERTa classifier.dense/out_proj, DeBERTa ContextPooler,
// GPT-2's tied lm_head); what they compute from logits is the same.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>

#include "adalora/models/model.h"

namespace adalora::models {

/// Which *ForSequenceClassification loss rules apply when config.problem_type is unset.
enum class ProblemTypeRules {
  Bert,     ///< num_labels==1 → regression; integer labels → single-label; else multi-label
  DebertaV2 ///< num_labels==1 → regression; 1-D labels → CE over rows with label ≥ 0; else soft CE
};

/// Sequence-classification loss. logits: [B, num_labels]; labels: see ModelInputs::labels.
torch::Tensor sequence_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                           int64_t num_labels,
                                           const std::optional<std::string>& problem_type,
                                           ProblemTypeRules rules);

/// Cross-entropy over [B, T, C] logits and [B, T] labels, -100 ignored (token classification, MLM).
torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

/// Splits qa logits [B, T, 2] into start/end [B, T] and, when positions are given, sets HF's QA
/// loss: (CE(start) + CE(end)) / 2 with positions clamped to [0, T] and T ignored.
void question_answering_outputs(const torch::Tensor& qa_logits, const ModelInputs& inputs,
                                ModelOutputs& out);

/// HF's causal-LM loss (GPT2LMHeadModel, LlamaForCausalLM): token t predicts label t + 1, i.e.
/// cross-entropy of logits[:, :-1] against labels[:, 1:], mean over labels ≠ -100.
/// logits: [B, T, V]; labels: [B, T] integer ids (usually input_ids with -100 on padding).
torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace adalora::models
