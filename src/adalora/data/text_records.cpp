// JSONL / CSV rows of named text fields (see text_records.h).
#include "adalora/data/text_records.h"

#include <fstream>

#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/data/text_table.h"
#include <nlohmann/json.hpp>

namespace adalora::data {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TextRecords read_jsonl_records(const std::string& path, const std::vector<std::string>& columns) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": expected a readable file, got none (does the path exist?)");
  TextRecords out;
  out.path = path;
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
    TextRecord row;
    row.line = line;
    for (const auto& name : columns) {
      const auto it = object.find(name);
      if (it == object.end() || it->is_null()) continue;
      ADALORA_CHECK(it->is_string(), where, ": ", name, ": expected a string, got ", it->dump());
      row.fields[name] = it->get<std::string>();
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

TextRecords read_csv_records(const std::string& path, const std::vector<std::string>& columns) {
  const TextTable table = read_csv(path);
  ADALORA_CHECK(!table.rows.empty(), path, ": header: expected a header row with the columns ",
                join_names(columns), ", got an empty file");
  const auto& header = table.rows[0].fields;
  TextRecords out;
  out.path = path;
  for (size_t r = 1; r < table.rows.size(); ++r) {
    const TextRow& source = table.rows[r];
    ADALORA_CHECK(source.fields.size() == header.size(), path, ":", source.line, ": row: expected ",
                  header.size(), " comma-separated fields (as in the header), got ",
                  source.fields.size());
    TextRecord row;
    row.line = source.line;
    for (const auto& name : columns) {
      const int64_t column = find_column(header, name);
      if (column >= 0) row.fields[name] = source.fields[static_cast<size_t>(column)];
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace

std::optional<std::string> TextRecord::get(const std::string& name) const {
  const auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return it->second;
}

TextRecords read_text_records(const std::string& path, const std::vector<std::string>& columns) {
  if (ends_with(path, ".jsonl") || ends_with(path, ".json")) return read_jsonl_records(path, columns);
  if (ends_with(path, ".csv")) return read_csv_records(path, columns);
  throw Error(str_cat(path, ": file extension: expected .jsonl, .json or .csv, got \"",
                      path.substr(path.find_last_of('/') + 1), "\""));
}

}  // namespace adalora::data
