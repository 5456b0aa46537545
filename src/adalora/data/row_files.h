// The row layer shared by the user-file readers (data/labeled_text.h, data/text_records.h): which
// format a path is, the JSONL object loop and the CSV row-width check, so both readers accept the
// same files and name file and line in the same words.
//
// JSONL: one JSON object per non-blank line (a UTF-8 byte-order mark on line 1 and CRLF line ends
// are dropped; every line passes the nesting bound of core/json_depth.h before it is parsed).
// CSV: the rows of data/text_table.h read_csv. Interpreting fields stays with the callers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "adalora/data/text_table.h"

namespace adalora::data {

enum class RowFileFormat { Jsonl, Csv };

/// The format by extension: `.jsonl`/`.json` → Jsonl, `.csv` → Csv. Throws adalora::Error
/// "<path>: file extension: expected .jsonl, .json or .csv, got "<name>"" otherwise.
RowFileFormat row_file_format(const std::string& path);

/// Calls `handle(object, line, where)` for every non-blank line of `path` in order, with its
/// 1-based line and its place "<path>:<line>". Throws adalora::Error for an unreadable file,
/// "<path>:<line>: row: expected one JSON object per line, got invalid JSON (…)" and
/// "<path>:<line>: row: expected a JSON object, got <type>".
void for_each_jsonl_object(
    const std::string& path,
    const std::function<void(const nlohmann::json& object, int64_t line, const std::string& where)>&
        handle);

/// Throws adalora::Error "<path>:<line>: row: expected <header_size> comma-separated fields (as in
/// the header), got <n>" when `row` has not as many fields as the header.
void check_csv_row_width(const std::string& path, size_t header_size, const TextRow& row);

}  // namespace adalora::data
