// Label vocabularies: how label strings in a file become class ids.
//
// GLUE tasks use fixed lists (data/glue.cpp, HF `datasets`' ClassLabel names). For a user's own
// classification data the vocabulary is derived from the training file exactly as HF's
// `run_glue.py` does for custom files: the sorted set of distinct labels (`label_list.sort()`),
// id = position. Sorting is numeric when every label is an integer ("2" < "10"), otherwise
// byte-wise lexicographic — deterministic on every platform and independent of row order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adalora::data {

/// Distinct labels in the documented order (numeric if all are integers, else byte-wise).
std::vector<std::string> sorted_label_names(const std::vector<std::string>& raw_labels);

/// Position of `raw` in `names`, or nullopt.
std::optional<int64_t> find_label(const std::vector<std::string>& names, const std::string& raw);

/// `text` as a whole decimal integer ("-3", "12"; no spaces, no "+", no "1.0"), or nullopt.
std::optional<int64_t> parse_integer(const std::string& text);

/// `text` as a finite real number (the whole string), or nullopt.
std::optional<double> parse_real(const std::string& text);

}  // namespace adalora::data
