// Raw TSV (no quoting) and RFC 4180 CSV readers (see text_table.h).
#include "adalora/data/text_table.h"

#include <fstream>
#include <sstream>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": expected a readable file, got none (does the path exist?)");
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  return text;
}

}  // namespace

TextTable read_tsv(const std::string& path) {
  const std::string text = read_file(path);
  TextTable table{path, {}};
  int64_t line = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string content = text.substr(begin, end - begin);
    if (!content.empty() && content.back() == '\r') content.pop_back();
    begin = end + 1;
    if (content.empty()) continue;
    TextRow row{line, {}};
    size_t field_begin = 0;
    while (true) {
      const size_t tab = content.find('\t', field_begin);
      row.fields.push_back(content.substr(field_begin, tab - field_begin));
      if (tab == std::string::npos) break;
      field_begin = tab + 1;
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

TextTable read_csv(const std::string& path) {
  const std::string text = read_file(path);
  TextTable table{path, {}};
  int64_t line = 1;
  size_t i = 0;
  while (i < text.size()) {
    // Blank line between records.
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    TextRow row{line, {}};
    bool record_done = false;
    while (!record_done) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        const int64_t quote_line = line;
        ++i;
        while (true) {
          ADALORA_CHECK(i < text.size(), path, ":", quote_line,
                        ": field: expected a closing quote, got end of file");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        const bool at_end = i >= text.size() || text[i] == ',' || text[i] == '\n' ||
                            (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
        ADALORA_CHECK(at_end, path, ":", line,
                      ": field: expected a comma or line end after a closing quote, got '", text[i],
                      "'");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' &&
               !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
          field += text[i++];
        }
      }
      row.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
      } else {
        if (i < text.size()) i += text[i] == '\r' ? 2 : 1;
        ++line;
        record_done = true;
      }
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

int64_t find_column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace adalora::data
