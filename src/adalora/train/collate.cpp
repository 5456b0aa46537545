// Dynamic padding of token ids into batches (see collate.h).
#include "adalora/train/collate.h"

#include <algorithm>

#include "adalora/core/error.h"

namespace adalora::train {

void EncodedDataset::validate() const {
  const size_t n = input_ids.size();
  ADALORA_CHECK(token_type_ids.empty() || token_type_ids.size() == n,
                "dataset: token_type_ids: expected none or ", n, " sequences, got ",
                token_type_ids.size());
  ADALORA_CHECK(labels.empty() || labels.size() == n, "dataset: labels: expected none or ", n,
                " labels, got ", labels.size());
  ADALORA_CHECK(targets.empty() || targets.size() == n, "dataset: targets: expected none or ", n,
                " targets, got ", targets.size());
  ADALORA_CHECK(label_ids.empty() || label_ids.size() == n,
                "dataset: label_ids: expected none or ", n, " sequences, got ", label_ids.size());
  ADALORA_CHECK(start_positions.size() == end_positions.size() &&
                    (start_positions.empty() || start_positions.size() == n),
                "dataset: start_positions/end_positions: expected none or ", n,
                " of each, got ", start_positions.size(), " and ", end_positions.size());
  const int kinds = int(!labels.empty()) + int(!targets.empty()) + int(!label_ids.empty()) +
                    int(!start_positions.empty());
  ADALORA_CHECK(kinds <= 1,
                "dataset: labels: expected one kind (class labels, regression targets, label "
                "sequences or answer spans), got ", kinds);
  for (size_t i = 0; i < n; ++i) {
    ADALORA_CHECK(!input_ids[i].empty(), "dataset: example ", i,
                  ": input_ids: expected at least one token, got none");
    ADALORA_CHECK(token_type_ids.empty() || token_type_ids[i].size() == input_ids[i].size(),
                  "dataset: example ", i, ": token_type_ids: expected ", input_ids[i].size(),
                  " ids (as input_ids), got ", token_type_ids[i].size());
    ADALORA_CHECK(label_ids.empty() || !label_ids[i].empty(), "dataset: example ", i,
                  ": label_ids: expected at least one label, got none");
    // start > end is allowed: run_qa.py labels an answer that starts in a window's last context
    // token with the final [SEP] as its start (tasks/qa_features.h).
    const auto len = static_cast<int64_t>(input_ids[i].size());
    ADALORA_CHECK(start_positions.empty() ||
                      (0 <= start_positions[i] && start_positions[i] < len &&
                       0 <= end_positions[i] && end_positions[i] < len),
                  "dataset: example ", i, ": start/end_positions: expected both in [0, ", len,
                  "), got ", start_positions[i], "..", end_positions[i]);
  }
}

models::ModelInputs Batch::to_model_inputs(torch::Device device) const {
  auto on = [&](const torch::Tensor& t) { return t.defined() ? t.to(device) : t; };
  models::ModelInputs in;
  in.input_ids = on(input_ids);
  in.attention_mask = on(attention_mask);
  in.token_type_ids = on(token_type_ids);
  in.labels = on(labels);
  in.start_positions = on(start_positions);
  in.end_positions = on(end_positions);
  return in;
}

Batch collate(const EncodedDataset& data, const std::vector<int64_t>& indices) {
  ADALORA_CHECK(!indices.empty(), "collate: indices: expected at least one example, got none");
  const int64_t n = data.size();
  size_t longest = 0;
  for (int64_t i : indices) {
    ADALORA_CHECK(i >= 0 && i < n, "collate: index: expected in [0, ", n, "), got ", i);
    ADALORA_CHECK(!data.input_ids[i].empty(), "collate: example ", i,
                  ": input_ids: expected at least one token, got none");
    longest = std::max(longest, data.input_ids[i].size());
  }
  const auto B = static_cast<int64_t>(indices.size());
  const auto T = static_cast<int64_t>(longest);
  const bool with_types = !data.token_type_ids.empty();

  Batch batch;
  batch.input_ids = torch::full({B, T}, data.pad_id, torch::kInt64);           // [B, T]
  batch.attention_mask = torch::zeros({B, T}, torch::kInt64);                  // [B, T]
  if (with_types) batch.token_type_ids = torch::zeros({B, T}, torch::kInt64);  // [B, T]
  auto ids = batch.input_ids.accessor<int64_t, 2>();
  auto mask = batch.attention_mask.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& seq = data.input_ids[indices[b]];
    for (size_t t = 0; t < seq.size(); ++t) {
      ids[b][t] = seq[t];
      mask[b][t] = 1;
    }
    if (with_types) {
      const auto& types = data.token_type_ids[indices[b]];
      ADALORA_CHECK(types.size() == seq.size(), "collate: example ", indices[b],
                    ": token_type_ids: expected ", seq.size(), " ids (as input_ids), got ",
                    types.size());
      auto tt = batch.token_type_ids.accessor<int64_t, 2>();
      for (size_t t = 0; t < types.size(); ++t) tt[b][t] = types[t];
    }
  }
  if (!data.labels.empty()) {
    batch.labels = torch::empty({B}, torch::kInt64);  // [B]
    auto acc = batch.labels.accessor<int64_t, 1>();
    for (int64_t b = 0; b < B; ++b) acc[b] = data.labels.at(indices[b]);
  } else if (!data.targets.empty()) {
    batch.labels = torch::empty({B}, torch::kFloat32);  // [B]
    auto acc = batch.labels.accessor<float, 1>();
    for (int64_t b = 0; b < B; ++b) acc[b] = static_cast<float>(data.targets.at(indices[b]));
  } else if (!data.label_ids.empty()) {
    size_t label_len = 0;
    for (int64_t i : indices) label_len = std::max(label_len, data.label_ids.at(i).size());
    batch.labels = torch::full({B, static_cast<int64_t>(label_len)}, -100, torch::kInt64);  // [B, T_l]
    auto acc = batch.labels.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const auto& seq = data.label_ids[indices[b]];
      for (size_t t = 0; t < seq.size(); ++t) acc[b][t] = seq[t];
    }
  } else if (!data.start_positions.empty()) {
    batch.start_positions = torch::empty({B}, torch::kInt64);  // [B]
    batch.end_positions = torch::empty({B}, torch::kInt64);    // [B]
    auto s = batch.start_positions.accessor<int64_t, 1>();
    auto e = batch.end_positions.accessor<int64_t, 1>();
    for (int64_t b = 0; b < B; ++b) {
      s[b] = data.start_positions.at(indices[b]);
      e[b] = data.end_positions.at(indices[b]);
    }
  }
  return batch;
}

}  // namespace adalora::train
