// GLUE TSV readers (see glue.h). The table below is HF `datasets` `glue.py` (datasets 2.x):
// `text_features`, `label_column` and `label_classes` of each config.
#include "adalora/data/glue.h"

#include "adalora/core/error.h"
#include "adalora/data/labels.h"
#include "adalora/data/text_table.h"

namespace adalora::data {

const std::vector<GlueLayout>& glue_layouts() {
  // CoLA train/dev have no header; these are their columns.
  static const std::vector<std::string> kColaColumns = {"source", "label", "original_label",
                                                        "sentence"};
  // clang-format off
  static const std::vector<GlueLayout> kLayouts = {
      // task  text         text_pair    label           HF ClassLabel names in id order
      {"cola", "sentence",  "",          "label",        {"unacceptable", "acceptable"}, kColaColumns},
      {"sst2", "sentence",  "",          "label",        {"negative", "positive"}, {}},
      {"mrpc", "#1 String", "#2 String", "Quality",      {"not_equivalent", "equivalent"}, {}},
      {"qqp",  "question1", "question2", "is_duplicate", {"not_duplicate", "duplicate"}, {}},
      {"stsb", "sentence1", "sentence2", "score",        {}, {}},
      {"mnli", "sentence1", "sentence2", "gold_label",   {"entailment", "neutral", "contradiction"}, {}},
      {"qnli", "question",  "sentence",  "label",        {"entailment", "not_entailment"}, {}},
      {"rte",  "sentence1", "sentence2", "label",        {"entailment", "not_entailment"}, {}},
  };
  // clang-format on
  return kLayouts;
}

const GlueLayout& glue_layout(const std::string& task) {
  std::vector<std::string> known;
  for (const auto& layout : glue_layouts()) {
    if (layout.task == task) return layout;
    known.push_back(layout.task);
  }
  throw Error(str_cat("glue: task: expected one of ", join_names(known), ", got \"", task, "\""));
}

namespace {

int64_t require_column(const TextTable& table, const std::vector<std::string>& header,
                       int64_t header_line, const std::string& name, const GlueLayout& layout) {
  const int64_t index = find_column(header, name);
  ADALORA_CHECK(index >= 0, table.path, ":", header_line, ": header: expected a column \"", name,
                "\" (GLUE ", layout.task, " layout), got columns ", join_names(header));
  return index;
}

int64_t parse_class(const std::string& raw, const GlueLayout& layout, const std::string& where) {
  if (const auto id = find_label(layout.label_names, raw)) return *id;
  const auto n = static_cast<int64_t>(layout.label_names.size());
  // HF: `int(label)` when the label is not a class name (CoLA, SST-2, MRPC, QQP store 0/1).
  if (const auto id = parse_integer(raw); id && *id >= 0 && *id < n) return *id;
  throw Error(str_cat(where, ": ", layout.label_column, ": expected one of ",
                      join_names(layout.label_names), " or an id in [0, ", n, "), got \"", raw,
                      "\""));
}

}  // namespace

Dataset read_glue_tsv(const std::string& path, const std::string& task) {
  const GlueLayout& layout = glue_layout(task);
  const TextTable table = read_tsv(path);
  ADALORA_CHECK(!table.rows.empty(), path, ": rows: expected a GLUE ", task,
                " TSV file with at least a header, got an empty file");

  // CoLA train/dev have no header; its test file does ("index\tsentence").
  std::vector<std::string> header = table.rows[0].fields;
  int64_t header_line = table.rows[0].line;
  size_t first_row = 1;
  if (!layout.implicit_header.empty() && find_column(header, layout.text_column) < 0) {
    header = layout.implicit_header;
    header_line = 0;
    first_row = 0;
  }
  const int64_t text = require_column(table, header, header_line, layout.text_column, layout);
  const int64_t pair =
      layout.text_pair_column.empty()
          ? -1
          : require_column(table, header, header_line, layout.text_pair_column, layout);
  const int64_t label = find_column(header, layout.label_column);

  Dataset dataset;
  dataset.path = path;
  dataset.label_names = layout.label_names;
  dataset.is_regression = layout.label_names.empty();
  dataset.has_labels = label >= 0;
  dataset.examples.reserve(table.rows.size() - first_row);
  for (size_t r = first_row; r < table.rows.size(); ++r) {
    const TextRow& row = table.rows[r];
    const std::string where = str_cat(path, ":", row.line);
    ADALORA_CHECK(row.fields.size() == header.size(), where, ": row: expected ", header.size(),
                  " tab-separated fields (", header_line > 0 ? "as in the header" : "GLUE layout",
                  "), got ", row.fields.size());
    Example example;
    example.line = row.line;
    example.text = row.fields[text];
    if (pair >= 0) example.text_pair = row.fields[pair];
    if (label >= 0) {
      const std::string& raw = row.fields[label];
      example.has_label = true;
      if (dataset.is_regression) {
        const auto value = parse_real(raw);
        ADALORA_CHECK(value.has_value(), where, ": ", layout.label_column,
                      ": expected a number, got \"", raw, "\"");
        example.target = *value;
      } else {
        example.label = parse_class(raw, layout, where);
      }
    }
    dataset.examples.push_back(std::move(example));
  }
  return dataset;
}

}  // namespace adalora::data
