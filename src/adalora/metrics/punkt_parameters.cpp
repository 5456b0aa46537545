// punkt_tab files → PunktParameters (see punkt_parameters.h).
#include "adalora/metrics/punkt_parameters.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "adalora/core/error.h"
#include "adalora/metrics/python_text.h"

namespace adalora::metrics {

namespace punkt_data {
// punkt_english_data.cpp (written by tools/punkt/embed_punkt_tab.sh from data/punkt_tab/english).
extern const char* const kEnglishAbbrevTypes;
extern const char* const kEnglishCollocations;
extern const char* const kEnglishSentStarters;
extern const char* const kEnglishOrthoContext;
}  // namespace punkt_data

namespace {

// Python's text.split("\n") over a file that ends without a newline; a final empty line (a file
// that does end in one) is dropped, as is an empty file.
std::vector<std::string_view> punkt_tab_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::pair<std::string_view, std::string_view> split_tab_line(std::string_view line,
                                                             const std::string& file,
                                                             size_t number) {
  const size_t tab = line.find('\t');
  ADALORA_CHECK(tab != std::string_view::npos && line.find('\t', tab + 1) == std::string_view::npos,
                file, ": line ", number, ": expected two fields separated by one tab, got \"",
                std::string(line), "\"");
  return {line.substr(0, tab), line.substr(tab + 1)};
}

std::string read_punkt_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": cannot read (expected a punkt_tab parameter file)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

PunktParameters PunktParameters::from_tab(std::string_view abbrev_types,
                                          std::string_view collocations,
                                          std::string_view sent_starters,
                                          std::string_view ortho_context,
                                          const std::string& source) {
  PunktParameters p;
  for (const auto line : punkt_tab_lines(abbrev_types))
    p.abbrev_types.insert(utf8_to_code_points(line));
  for (const auto line : punkt_tab_lines(sent_starters))
    p.sent_starters.insert(utf8_to_code_points(line));
  const auto colloc_lines = punkt_tab_lines(collocations);
  for (size_t i = 0; i < colloc_lines.size(); ++i) {
    const auto [a, b] = split_tab_line(colloc_lines[i], source + "/collocations.tab", i + 1);
    p.collocations.emplace(utf8_to_code_points(a), utf8_to_code_points(b));
  }
  const auto ortho_lines = punkt_tab_lines(ortho_context);
  for (size_t i = 0; i < ortho_lines.size(); ++i) {
    const std::string file = source + "/ortho_context.tab";
    const auto [type, flags] = split_tab_line(ortho_lines[i], file, i + 1);
    int value = 0;
    const auto [end, ec] = std::from_chars(flags.data(), flags.data() + flags.size(), value);
    ADALORA_CHECK(ec == std::errc() && end == flags.data() + flags.size() && value >= 0, file,
                  ": line ", i + 1,
                  ": expected a non-negative integer of orthographic flags, got \"",
                  std::string(flags), "\"");
    p.ortho_context[utf8_to_code_points(type)] = value;
  }
  return p;
}

PunktParameters PunktParameters::from_dir(const std::string& dir) {
  return from_tab(read_punkt_file(dir + "/abbrev_types.txt"),
                  read_punkt_file(dir + "/collocations.tab"),
                  read_punkt_file(dir + "/sent_starters.txt"),
                  read_punkt_file(dir + "/ortho_context.tab"), dir);
}

const PunktParameters& english_punkt_parameters() {
  static const PunktParameters params =
      PunktParameters::from_tab(punkt_data::kEnglishAbbrevTypes, punkt_data::kEnglishCollocations,
                                punkt_data::kEnglishSentStarters, punkt_data::kEnglishOrthoContext,
                                "punkt_tab/english (built in)");
  return params;
}

}  // namespace adalora::metrics
