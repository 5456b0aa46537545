// Readers for a user's own labelled text: JSONL and CSV with the column names `text`, optional
// `text_pair`, optional `label` — the generic `classification` / `regression` tasks.
//
// JSONL: one JSON object per non-blank line; `label` may be a string, an integer or a number
// (a regression target, or an integral number such as 1.0 for a class). CSV: RFC 4180 with a
// header row; other columns are ignored; an empty `text_pair` or `label` cell means "absent".
// Either all rows carry a label or none does (a predict file). Class vocabularies follow
// data/labels.h (sorted, as HF run_glue). What this does not do: tokenise, or guess a format from
// contents — the extension decides (`.jsonl`/`.json` → JSONL, `.csv` → CSV).
#pragma once

#include <string>
#include <vector>

#include "adalora/data/example.h"

namespace adalora::data {

/// Reads `path` as JSONL or CSV by its extension. For classification, `label_names` fixes the
/// vocabulary (pass the training set's names when reading a dev file); when empty it is derived
/// from this file's labels. Throws adalora::Error "<file>:<line>: <field>: expected …, got …".
Dataset read_labeled_file(const std::string& path, bool is_regression,
                          const std::vector<std::string>& label_names = {});

/// Reads a JSONL file (see read_labeled_file).
Dataset read_jsonl(const std::string& path, bool is_regression,
                   const std::vector<std::string>& label_names = {});

/// Reads a CSV file with a header row (see read_labeled_file).
Dataset read_labeled_csv(const std::string& path, bool is_regression,
                         const std::vector<std::string>& label_names = {});

}  // namespace adalora::data
