// Generic JSONL / CSV readers (see labeled_text.h).
#include "adalora/data/labeled_text.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "adalora/core/error.h"
#include "adalora/data/labels.h"
#include "adalora/data/row_files.h"
#include "adalora/data/text_table.h"

namespace adalora::data {
namespace {

// A row before its label is resolved against the vocabulary.
struct RawRow {
  int64_t line = 0;
  std::string text;
  std::optional<std::string> text_pair;
  std::optional<std::string> label;
};

Dataset resolve_labels(const std::string& path, const std::vector<RawRow>& rows, bool is_regression,
                       const std::vector<std::string>& label_names) {
  Dataset dataset;
  dataset.path = path;
  dataset.is_regression = is_regression;
  dataset.has_labels = !rows.empty() && rows.front().label.has_value();
  for (const auto& row : rows) {
    ADALORA_CHECK(row.label.has_value() == dataset.has_labels, path, ":", row.line,
                  ": label: expected ", dataset.has_labels ? "a label" : "no label",
                  " (all rows or none carry one; line ", rows.front().line, " ",
                  dataset.has_labels ? "does" : "does not", "), got ", row.label ? "one" : "none");
  }
  if (!is_regression) {
    if (!label_names.empty()) {
      dataset.label_names = label_names;
    } else {
      std::vector<std::string> raw;
      for (const auto& row : rows) {
        if (row.label) raw.push_back(*row.label);
      }
      dataset.label_names = sorted_label_names(raw);
    }
  }
  dataset.examples.reserve(rows.size());
  for (const auto& row : rows) {
    Example example;
    example.line = row.line;
    example.text = row.text;
    example.text_pair = row.text_pair;
    example.has_label = row.label.has_value();
    if (row.label && is_regression) {
      const auto value = parse_real(*row.label);
      ADALORA_CHECK(value.has_value(), path, ":", row.line,
                    ": label: expected a number (regression), got \"", *row.label, "\"");
      example.target = *value;
    } else if (row.label) {
      const auto id = find_label(dataset.label_names, *row.label);
      ADALORA_CHECK(id.has_value(), path, ":", row.line, ": label: expected one of ",
                    join_names(dataset.label_names), ", got \"", *row.label, "\"");
      example.label = *id;
    }
    dataset.examples.push_back(std::move(example));
  }
  return dataset;
}

// A JSON label as the canonical string the vocabulary sees: "5" for 5 and 5.0; strings verbatim.
std::optional<std::string> json_label(const nlohmann::json& value, bool is_regression,
                                      const std::string& where) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());
  if (value.is_number_float()) {
    const double x = value.get<double>();
    if (is_regression) return nlohmann::json(x).dump();
    ADALORA_CHECK(std::floor(x) == x && std::fabs(x) < 9.0e15, where,
                  ": label: expected a string or an integer class, got ", value.dump());
    return std::to_string(static_cast<int64_t>(x));
  }
  throw Error(str_cat(where, ": label: expected a string or a number, got ", value.dump()));
}

}  // namespace

Dataset read_jsonl(const std::string& path, bool is_regression,
                   const std::vector<std::string>& label_names) {
  std::vector<RawRow> rows;
  for_each_jsonl_object(path, [&](const nlohmann::json& object, int64_t line,
                                  const std::string& where) {
    RawRow row;
    row.line = line;
    const auto text = object.find("text");
    ADALORA_CHECK(text != object.end() && text->is_string(), where,
                  ": text: expected a string, got ",
                  text == object.end() ? std::string("no \"text\" key") : text->dump());
    row.text = text->get<std::string>();
    if (const auto pair = object.find("text_pair"); pair != object.end() && !pair->is_null()) {
      ADALORA_CHECK(pair->is_string(), where, ": text_pair: expected a string or null, got ",
                    pair->dump());
      row.text_pair = pair->get<std::string>();
    }
    if (const auto label = object.find("label"); label != object.end()) {
      row.label = json_label(*label, is_regression, where);
    }
    rows.push_back(std::move(row));
  });
  return resolve_labels(path, rows, is_regression, label_names);
}

Dataset read_labeled_csv(const std::string& path, bool is_regression,
                         const std::vector<std::string>& label_names) {
  const TextTable table = read_csv(path);
  ADALORA_CHECK(!table.rows.empty(), path,
                ": header: expected a header row with a \"text\" column, got an empty file");
  const auto& header = table.rows[0].fields;
  const int64_t text = find_column(header, "text");
  ADALORA_CHECK(text >= 0, path, ":", table.rows[0].line,
                ": header: expected a column \"text\" (optional: text_pair, label), got columns ",
                join_names(header));
  const int64_t pair = find_column(header, "text_pair");
  const int64_t label = find_column(header, "label");
  std::vector<RawRow> rows;
  for (size_t r = 1; r < table.rows.size(); ++r) {
    const TextRow& source = table.rows[r];
    check_csv_row_width(path, header.size(), source);
    RawRow row;
    row.line = source.line;
    row.text = source.fields[text];
    if (pair >= 0 && !source.fields[pair].empty()) row.text_pair = source.fields[pair];
    if (label >= 0 && !source.fields[label].empty()) row.label = source.fields[label];
    rows.push_back(std::move(row));
  }
  return resolve_labels(path, rows, is_regression, label_names);
}

Dataset read_labeled_file(const std::string& path, bool is_regression,
                          const std::vector<std::string>& label_names) {
  if (row_file_format(path) == RowFileFormat::Jsonl) {
    return read_jsonl(path, is_regression, label_names);
  }
  return read_labeled_csv(path, is_regression, label_names);
}

}  // namespace adalora::data
