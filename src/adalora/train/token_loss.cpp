// Label smoothing and exact split losses (see token_loss.h).
#include "adalora/train/token_loss.h"

#include <cmath>
#include <limits>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

// logits[..., :-1] and labels[..., 1:] when shifting, else both unchanged.
std::pair<torch::Tensor, torch::Tensor> aligned(const torch::Tensor& logits,
                                                const torch::Tensor& labels, bool shift_labels) {
  ADALORA_CHECK(!at::isFloatingType(labels.scalar_type()),
                "token loss: labels: expected integer token ids, got ", labels.scalar_type());
  ADALORA_CHECK(labels.dim() + 1 == logits.dim() &&
                    labels.sizes() == logits.sizes().slice(0, labels.dim()),
                "token loss: labels: expected the shape of logits ", logits.sizes(),
                " without the vocabulary dimension, got ", labels.sizes());
  if (!shift_labels) return {logits, labels};
  ADALORA_CHECK(labels.dim() == 2, "token loss: shift_labels: expected [batch, seq] labels, got ",
                labels.sizes());
  const int64_t t = labels.size(1);
  return {logits.narrow(1, 0, t - 1), labels.narrow(1, 1, t - 1)};
}

}  // namespace

torch::Tensor label_smoothed_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                  double epsilon, bool shift_labels) {
  ADALORA_CHECK(epsilon >= 0 && epsilon < 1, "label smoothing: label_smoothing_factor: expected a "
                "number in [0, 1), got ", epsilon);
  auto [lg, lb] = aligned(logits, labels, shift_labels);
  const torch::Tensor neg_log_probs = -torch::log_softmax(lg, -1);  // [..., V]
  const torch::Tensor target = lb.unsqueeze(-1);                    // [..., 1]
  const torch::Tensor padding = target.eq(-100);                    // [..., 1]
  const torch::Tensor nll =
      neg_log_probs.gather(-1, target.clamp_min(0)).masked_fill(padding, 0.0);     // [..., 1]
  const torch::Tensor smoothed =
      neg_log_probs.sum(-1, /*keepdim=*/true, torch::kFloat32).masked_fill(padding, 0.0);  // [..., 1]
  const int64_t active = padding.numel() - padding.sum().item<int64_t>();
  ADALORA_CHECK(active > 0, "label smoothing: labels: expected at least one label token (≠ -100), "
                "got none");
  const double vocab = static_cast<double>(neg_log_probs.size(-1));
  return (1 - epsilon) * (nll.sum() / static_cast<double>(active)) +
         epsilon * (smoothed.sum() / (static_cast<double>(active) * vocab));
}

double TokenLoss::mean() const {
  return count > 0 ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

TokenLoss token_loss(const torch::Tensor& logits, const torch::Tensor& labels, bool shift_labels) {
  auto [lg, lb] = aligned(logits, labels, shift_labels);
  const torch::Tensor flat_labels = lb.reshape({-1});                   // [N]
  const torch::Tensor flat_logits = lg.reshape({-1, lg.size(-1)});      // [N, V]
  const torch::Tensor losses = torch::nn::functional::cross_entropy(   // [N], 0 where ignored
      flat_logits, flat_labels,
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kNone));
  TokenLoss out;
  out.sum = losses.to(torch::kFloat64).sum().item<double>();
  out.count = flat_labels.ne(-100).sum().item<int64_t>();
  return out;
}

TokenLoss split_token_loss(models::Model& model, const EncodedDataset& data, int64_t batch_size,
                           dist::ProcessGroup* group) {
  ADALORA_CHECK(batch_size >= 1, "evaluation: batch_size: expected ≥ 1, got ", batch_size);
  ADALORA_CHECK(data.label_ids.size() == data.input_ids.size(),
                "evaluation: expected a label sequence per example, got ", data.label_ids.size(),
                " for ", data.input_ids.size(), " examples");
  const bool shift = model.head() == models::TaskHead::CausalLM;
  const int64_t n = data.size();
  const int64_t w = group ? group->world_size() : 1, r = group ? group->rank() : 0;
  const int64_t lo = n * r / w, hi = n * (r + 1) / w;
  torch::NoGradGuard no_grad;
  TokenLoss total;
  for (int64_t start = lo; start < hi; start += batch_size) {
    std::vector<int64_t> idx;
    for (int64_t i = start; i < std::min(hi, start + batch_size); ++i) idx.push_back(i);
    const Batch batch = collate(data, idx);
    const models::ModelOutputs out = model.forward(batch.to_model_inputs());
    const TokenLoss part = token_loss(out.logits, batch.labels, shift);
    total.sum += part.sum;
    total.count += part.count;
  }
  if (group) {
    const torch::Tensor both = torch::tensor({total.sum, static_cast<double>(total.count)},
                                             torch::kFloat64);  // [2]
    group->sum(both);
    total.sum = both[0].item<double>();
    total.count = static_cast<int64_t>(both[1].item<double>());
  }
  return total;
}

}  // namespace adalora::train
