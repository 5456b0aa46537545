// JSONL / CSV rows of named text fields (see text_records.h).
#include "adalora/data/text_records.h"

#include "adalora/core/error.h"
#include "adalora/data/row_files.h"
#include "adalora/data/text_table.h"
#include <nlohmann/json.hpp>

namespace adalora::data {
namespace {

TextRecords read_jsonl_records(const std::string& path, const std::vector<std::string>& columns) {
  TextRecords out;
  out.path = path;
  for_each_jsonl_object(path, [&](const nlohmann::json& object, int64_t line,
                                  const std::string& where) {
    TextRecord row;
    row.line = line;
    for (const auto& name : columns) {
      const auto it = object.find(name);
      if (it == object.end() || it->is_null()) continue;
      ADALORA_CHECK(it->is_string(), where, ": ", name, ": expected a string, got ", it->dump());
      row.fields[name] = it->get<std::string>();
    }
    out.rows.push_back(std::move(row));
  });
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
    check_csv_row_width(path, header.size(), source);
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
  if (row_file_format(path) == RowFileFormat::Jsonl) return read_jsonl_records(path, columns);
  return read_csv_records(path, columns);
}

}  // namespace adalora::data
