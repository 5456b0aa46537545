// Token-level losses of the generative tasks: HF's label smoother for training, and the exact
// evaluation loss of a split.
//
// label_smoothed_loss is transformers v4.40.2 trainer_pt_utils.py LabelSmoother.__call__:
//   nll    = Σ_{labels ≠ -100} −log p(label)                 / n_active
//   smooth = Σ_{labels ≠ -100} Σ_v −log p(v)                 / (n_active · V)
//   loss   = (1 − ε)·nll + ε·smooth
// (shift_labels: logits[..., :-1] predict labels[..., 1:], as HF's Trainer does for causal-LM
// models). It is a mean over the label tokens of one micro-batch, like the models' own loss.
//
// Evaluation loss (split_token_loss): Σ of every label token's −log p over the whole split divided
// by the number of label tokens — not a mean of batch means (HF's eval_loss), so it does not
// depend on the batch size, and with a process group the ranks' sums and counts are added before
// dividing. It is never label-smoothed: exp(loss) is the perplexity.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "adalora/dist/process_group.h"
#include "adalora/models/model.h"
#include "adalora/train/collate.h"

namespace adalora::train {

/// HF's LabelSmoother. logits: [B, T, V] (or [B, V]); labels: [B, T] (or [B]) int64 with -100 =
/// ignored. Returns [] float32. Throws Error for ε outside [0, 1), mismatched shapes, or no label
/// token at all (HF would return NaN).
torch::Tensor label_smoothed_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                  double epsilon, bool shift_labels);

/// A sum of token losses and the number of tokens it is over.
struct TokenLoss {
  double sum = 0;     ///< Σ −log p(label), accumulated in float64
  int64_t count = 0;  ///< label tokens (≠ -100)
  double mean() const;  ///< sum / count; NaN when count is 0
};

/// The token losses of one batch. logits: [B, T, V]; labels: [B, T] int64 (-100 = ignored);
/// shift_labels as label_smoothed_loss.
TokenLoss token_loss(const torch::Tensor& logits, const torch::Tensor& labels, bool shift_labels);

/// The token losses of `model` (eval mode) on every example of `data` (label_ids filled),
/// `batch_size` examples per forward pass. With a process group each rank does a contiguous 1/W
/// of the rows and the sums and counts are added over the ranks: every rank gets the same result.
/// Causal-LM heads shift the labels; seq2seq heads do not (the model shifts the decoder inputs).
TokenLoss split_token_loss(models::Model& model, const EncodedDataset& data, int64_t batch_size,
                           dist::ProcessGroup* group = nullptr);

}  // namespace adalora::train
