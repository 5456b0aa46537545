// Batches of already-tokenised examples with dynamic padding (pad to the longest sequence in the
// batch, not to a fixed length), as HF's DataCollatorWithPadding does with padding="longest".
//
// Independent of the tokenizer: it takes token ids. Padding is on the right (HF's default
// padding_side for encoders); padded positions get `pad_id`, attention mask 0 and token type 0.
// Labels are class ids (int64), regression targets (float32), label sequences (int64, padded with
// -100: causal-LM targets aligned with input_ids, or seq2seq decoder targets) or answer spans
// (start/end positions), chosen by which field the dataset fills.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "adalora/models/model.h"

namespace adalora::train {

/// A tokenised dataset: one id sequence per example, optional type ids, and at most one kind of
/// label (class ids, regression targets, label sequences, or answer spans).
struct EncodedDataset {
  std::vector<std::vector<int64_t>> input_ids;       ///< per example, unpadded
  std::vector<std::vector<int64_t>> token_type_ids;  ///< empty, or one per example (same lengths)
  std::vector<int64_t> labels;  ///< class ids; empty when unlabelled/regression
  std::vector<double> targets;  ///< regression targets; empty otherwise
  /// Per-example label sequences (-100 = ignored): causal LM, the targets aligned with input_ids
  /// (same length; the model shifts them); seq2seq, the decoder's target ids. Empty otherwise.
  std::vector<std::vector<int64_t>> label_ids;
  std::vector<int64_t> start_positions;  ///< question answering: answer start token; empty otherwise
  std::vector<int64_t> end_positions;    ///< question answering: answer end token (inclusive)
  int64_t pad_id = 0;                    ///< the tokenizer's pad token id

  int64_t size() const { return static_cast<int64_t>(input_ids.size()); }
  bool is_regression() const { return !targets.empty(); }
  bool has_labels() const {
    return !labels.empty() || !targets.empty() || !label_ids.empty() || !start_positions.empty();
  }
  /// Throws adalora::Error naming the first inconsistent field and example.
  void validate() const;
};

/// One padded batch. B = batch, T = longest sequence in the batch.
struct Batch {
  torch::Tensor input_ids;       ///< [B, T] int64
  torch::Tensor attention_mask;  ///< [B, T] int64, 1 = real token
  torch::Tensor token_type_ids;  ///< [B, T] int64, or undefined when the dataset has none
  /// [B] int64 (classes) / [B] float32 (regression) / [B, T_l] int64 label sequences padded with
  /// -100 (T_l = longest label sequence in the batch) / undefined
  torch::Tensor labels;
  torch::Tensor start_positions;  ///< [B] int64 (question answering) or undefined
  torch::Tensor end_positions;    ///< [B] int64 (question answering) or undefined

  int64_t size() const { return input_ids.defined() ? input_ids.size(0) : 0; }
  /// The model's inputs (no copies).
  /// The batch as model inputs on `device` (the model's; a copy only when not the CPU).
  models::ModelInputs to_model_inputs(torch::Device device = torch::kCPU) const;
};

/// Collates `data`'s examples at `indices` (in that order). Throws adalora::Error for an empty
/// index list, an index out of range or an empty sequence.
Batch collate(const EncodedDataset& data, const std::vector<int64_t>& indices);

}  // namespace adalora::train
