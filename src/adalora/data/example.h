// One labelled (or unlabelled) text example and a dataset of them, as every reader returns them.
//
// Mirrors what HF `datasets` yields for GLUE (`sentence`/`sentence1`… → `text`, the second
// segment → `text_pair`, `label` as a ClassLabel id or a float) but with fixed field names, so
// that tokenisation and collation (not here) need not know the task. No tokens, no tensors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adalora::data {

/// One example. Exactly one of `label` / `target` is meaningful, chosen by the dataset's
/// `is_regression`; both are unset (`has_label == false`) in a test split.
struct Example {
  std::string text;                      ///< first (or only) segment
  std::optional<std::string> text_pair;  ///< second segment of a pair task
  int64_t label = -1;                    ///< class id in [0, label_names.size()) — classification
  double target = 0.0;                   ///< real-valued target — regression
  bool has_label = false;                ///< false for unlabelled (test / predict) rows
  int64_t line = 0;                      ///< 1-based line of the row in its file, for messages
};

/// The examples of one file plus what their labels mean.
struct Dataset {
  std::string path;                      ///< the file read (for messages)
  std::vector<Example> examples;         ///< in file order
  std::vector<std::string> label_names;  ///< id → name; empty for regression
  bool is_regression = false;            ///< `target` holds the label, not `label`
  bool has_labels = false;               ///< every example has a label (all or none do)
};

}  // namespace adalora::data
