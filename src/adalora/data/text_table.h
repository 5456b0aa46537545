// Delimited text files as rows of string fields with their line numbers: the raw layer under the
// GLUE and the generic CSV readers.
//
// Two dialects. `read_tsv` splits each line on every tab with no quoting at all — what HF
// `datasets` does for GLUE (`csv.reader(…, delimiter="\t", quoting=csv.QUOTE_NONE)`), since GLUE
// sentences contain unbalanced quote characters. `read_csv` implements RFC 4180 (fields in double
// quotes may hold commas, newlines and `""` for a quote). Both drop a UTF-8 byte-order mark, accept
// LF or CRLF line ends, and skip blank lines as Python's DictReader does. Neither interprets
// columns; that is the callers' job.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace adalora::data {

/// One record: its fields and the 1-based line on which it starts.
struct TextRow {
  int64_t line = 0;
  std::vector<std::string> fields;
};

/// All records of a file in order; the header (if any) is rows[0].
struct TextTable {
  std::string path;
  std::vector<TextRow> rows;
};

/// Reads `path` as tab-separated values with quoting disabled.
/// Throws adalora::Error when the file cannot be opened.
TextTable read_tsv(const std::string& path);

/// Reads `path` as RFC 4180 comma-separated values.
/// Throws adalora::Error "<file>:<line>: …" for an unterminated quoted field or text after a
/// closing quote.
TextTable read_csv(const std::string& path);

/// Index of `name` in `header`, or -1.
int64_t find_column(const std::vector<std::string>& header, const std::string& name);

/// "a, b, c" — for messages that list columns or names.
std::string join_names(const std::vector<std::string>& names);

}  // namespace adalora::data
