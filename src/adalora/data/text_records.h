// Rows of named text fields from a user's JSONL or CSV file: the raw layer under the generative
// tasks (causal LM: "text" or "prompt" + "completion"; seq2seq: a source and a target column such
// as XSum's "document"/"summary" or CNN/DailyMail's "article"/"highlights").
//
// JSONL: one JSON object per non-blank line; a requested field must be a string when present
// (null = absent). CSV: RFC 4180 with a header row (data/text_table.h); an absent column is absent
// in every row, an empty cell is an empty string. Other fields/columns are ignored. The extension
// decides the format (`.jsonl`/`.json` → JSONL, `.csv` → CSV), as data/labeled_text.h. Which
// fields a task requires is the caller's check (it names file, line and field).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace adalora::data {

/// One row: its 1-based line and the requested fields it has.
struct TextRecord {
  int64_t line = 0;
  std::map<std::string, std::string> fields;

  /// The field `name`, or nullopt.
  std::optional<std::string> get(const std::string& name) const;
};

struct TextRecords {
  std::string path;
  std::vector<TextRecord> rows;
};

/// Reads the fields `columns` of every row of `path` (JSONL or CSV by extension). Throws
/// adalora::Error "<file>:<line>: <field>: expected …, got …" for malformed rows, an unreadable
/// file or an unknown extension.
TextRecords read_text_records(const std::string& path, const std::vector<std::string>& columns);

}  // namespace adalora::data
