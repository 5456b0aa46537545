// JSONL / CSV rows of a user's data file (see row_files.h).
#include "adalora/data/row_files.h"

#include <fstream>

#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/core/strings.h"

namespace adalora::data {

RowFileFormat row_file_format(const std::string& path) {
  if (ends_with(path, ".jsonl") || ends_with(path, ".json")) {
    return RowFileFormat::Jsonl;
  }
  if (ends_with(path, ".csv")) return RowFileFormat::Csv;
  throw Error(str_cat(path, ": file extension: expected .jsonl, .json or .csv, got \"",
                      path.substr(path.find_last_of('/') + 1), "\""));
}

void for_each_jsonl_object(
    const std::string& path,
    const std::function<void(const nlohmann::json& object, int64_t line, const std::string& where)>&
        handle) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": expected a readable file, got none (does the path exist?)");
  std::string content;
  for (int64_t line = 1; std::getline(in, content); ++line) {
    if (line == 1 && content.compare(0, 3, "\xEF\xBB\xBF") == 0) content.erase(0, 3);
    if (!content.empty() && content.back() == '\r') content.pop_back();
    if (content.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = str_cat(path, ":", line);
    check_json_depth(content, where);
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(content);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
      throw Error(str_cat(where, ": row: expected one JSON object per line, got invalid JSON (",
                          e.what(), ")"));
    }
    ADALORA_CHECK(object.is_object(), where, ": row: expected a JSON object, got ",
                  object.type_name());
    handle(object, line, where);
  }
}

void check_csv_row_width(const std::string& path, size_t header_size, const TextRow& row) {
  ADALORA_CHECK(row.fields.size() == header_size, path, ":", row.line, ": row: expected ",
                header_size, " comma-separated fields (as in the header), got ", row.fields.size());
}

}  // namespace adalora::data
