#include "adalora/models/heads.h"

#include "adalora/core/error.h"

namespace adalora::models {
namespace F = torch::nn::functional;

namespace {

torch::Tensor regression_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                              int64_t num_labels) {
  const auto target = labels.to(logits.scalar_type());
  if (num_labels == 1) return F::mse_loss(logits.squeeze(), target.squeeze());
  return F::mse_loss(logits, target);
}

torch::Tensor single_label_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                int64_t num_labels) {
  return F::cross_entropy(logits.view({-1, num_labels}), labels.view({-1}).to(torch::kLong));
}

torch::Tensor multi_label_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  return F::binary_cross_entropy_with_logits(logits, labels.to(logits.scalar_type()));
}

}  // namespace

torch::Tensor sequence_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                           int64_t num_labels,
                                           const std::optional<std::string>& problem_type,
                                           ProblemTypeRules rules) {
  if (problem_type) {
    if (*problem_type == "regression") return regression_loss(logits, labels, num_labels);
    if (*problem_type == "single_label_classification") {
      return single_label_loss(logits, labels, num_labels);
    }
    return multi_label_loss(logits, labels);
  }
  const bool integer_labels = !at::isFloatingType(labels.scalar_type());
  if (rules == ProblemTypeRules::Bert) {
    if (num_labels == 1) return regression_loss(logits, labels, num_labels);
    if (integer_labels) return single_label_loss(logits, labels, num_labels);
    return multi_label_loss(logits, labels);
  }
  // DebertaV2ForSequenceClassification with problem_type None.
  if (num_labels == 1) {
    return F::mse_loss(logits.view({-1}).to(labels.scalar_type()), labels.view({-1}));
  }
  if (labels.dim() == 1 || labels.size(-1) == 1) {
    const auto label_index = (labels >= 0).nonzero();  // [N, 1]
    const auto long_labels = labels.to(torch::kLong);
    if (label_index.size(0) == 0) return torch::zeros({}, logits.options());
    const auto labeled_logits =
        torch::gather(logits, 0, label_index.expand({label_index.size(0), logits.size(1)}));
    const auto kept = torch::gather(long_labels.view({-1}), 0, label_index.view({-1}));
    return F::cross_entropy(labeled_logits.view({-1, num_labels}).to(torch::kFloat32),
                            kept.view({-1}));
  }
  return -(torch::log_softmax(logits, -1) * labels).sum(-1).mean();
}

torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  ADALORA_CHECK(!at::isFloatingType(labels.scalar_type()),
                "token classification: labels: expected integer class ids, got ",
                labels.scalar_type());
  return F::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                          labels.reshape({-1}).to(torch::kLong),
                          F::CrossEntropyFuncOptions().ignore_index(-100));
}

void question_answering_outputs(const torch::Tensor& qa_logits, const ModelInputs& inputs,
                                ModelOutputs& out) {
  ADALORA_CHECK(qa_logits.size(-1) == 2, "question answering: expected num_labels 2, got ",
                qa_logits.size(-1));
  auto parts = qa_logits.split(1, -1);
  out.start_logits = parts[0].squeeze(-1).contiguous();  // [B, T]
  out.end_logits = parts[1].squeeze(-1).contiguous();    // [B, T]
  if (!inputs.start_positions.defined() || !inputs.end_positions.defined()) return;
  auto start = inputs.start_positions, end = inputs.end_positions;
  if (start.dim() > 1) start = start.squeeze(-1);
  if (end.dim() > 1) end = end.squeeze(-1);
  const int64_t ignored = out.start_logits.size(1);
  start = start.clamp(0, ignored).to(torch::kLong);
  end = end.clamp(0, ignored).to(torch::kLong);
  const auto options = F::CrossEntropyFuncOptions().ignore_index(ignored);
  out.loss = (F::cross_entropy(out.start_logits, start, options) +
              F::cross_entropy(out.end_logits, end, options)) /
             2;
}

torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  ADALORA_CHECK(!at::isFloatingType(labels.scalar_type()),
                "causal LM: labels: expected integer token ids, got ", labels.scalar_type());
  ADALORA_CHECK(labels.dim() == 2 && logits.dim() == 3 && labels.size(0) == logits.size(0) &&
                    labels.size(1) == logits.size(1),
                "causal LM: labels: expected [batch, seq] matching logits ", logits.sizes(), ", got ",
                labels.sizes());
  const int64_t T = logits.size(1);
  const auto shifted_logits = logits.narrow(1, 0, T - 1).reshape({-1, logits.size(-1)});  // [B·(T-1), V]
  const auto shifted_labels = labels.narrow(1, 1, T - 1).reshape({-1}).to(torch::kLong);  // [B·(T-1)]
  return F::cross_entropy(shifted_logits, shifted_labels,
                          F::CrossEntropyFuncOptions().ignore_index(-100));
}

}  // namespace adalora::models
