// Batches of already-tokenised examples with dynamic padding (pad to the longest sequence in the
// batch, not to a fixed length), as HF's DataCollatorWithPadding does with padding="longest".
//
// Independent of the tokenizer: it takes token ids. Padding is on the right (HF's default
// padding_side for encoders); padded positions get `pad_id`, attention mask 0 and token type 0.
// Labels are class ids (int64) or regression targets (float32), chosen by the dataset.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "adalora/models/model.h"

namespace adalora::train {

/// A tokenised dataset: one id sequence per example, optional type ids, optional labels.
struct EncodedDataset {
  std::vector<std::vector<int64_t>> input_ids;       ///< per example, unpadded
  std::vector<std::vector<int64_t>> token_type_ids;  ///< empty, or one per example (same lengths)
  std::vector<int64_t> labels;  ///< class ids; empty when unlabelled/regression
  std::vector<double> targets;  ///< regression targets; empty otherwise
  int64_t pad_id = 0;           ///< the tokenizer's pad token id

  int64_t size() const { return static_cast<int64_t>(input_ids.size()); }
  bool is_regression() const { return !targets.empty(); }
  bool has_labels() const { return !labels.empty() || !targets.empty(); }
  /// Throws adalora::Error naming the first inconsistent field and example.
  void validate() const;
};

/// One padded batch. B = batch, T = longest sequence in the batch.
struct Batch {
  torch::Tensor input_ids;       ///< [B, T] int64
  torch::Tensor attention_mask;  ///< [B, T] int64, 1 = real token
  torch::Tensor token_type_ids;  ///< [B, T] int64, or undefined when the dataset has none
  torch::Tensor labels;          ///< [B] int64 (classes) / [B] float32 (regression) / undefined

  int64_t size() const { return input_ids.defined() ? input_ids.size(0) : 0; }
  /// The model's inputs (no copies).
  models::ModelInputs to_model_inputs() const;
};

/// Collates `data`'s examples at `indices` (in that order). Throws adalora::Error for an empty
/// index list, an index out of range or an empty sequence.
Batch collate(const EncodedDataset& data, const std::vector<int64_t>& indices);

}  // namespace adalora::train
