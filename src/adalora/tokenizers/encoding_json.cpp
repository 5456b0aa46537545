// One line of `adalora tokenize` (see encoding_json.h).
#include "adalora/tokenizers/encoding_json.h"

#include <cstdint>
#include <cstdio>

#include "adalora/core/error.h"

namespace adalora::tokenizers {
namespace {

// Byte index of the first invalid UTF-8 sequence, or npos (overlongs, surrogates and > U+10FFFF
// count as invalid, as in Python's strict decoder).
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    char32_t c = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2, c = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3, c = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4, c = b & 0x07;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) return i;
      c = (c << 6) | (cb & 0x3F);
    }
    const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return i;
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace

nlohmann::json encoding_to_json(const Encoding& e, bool pair) {
  nlohmann::json j;
  j["ids"] = e.ids;
  j["tokens"] = e.tokens;
  auto offsets = nlohmann::json::array();
  for (const auto& [start, end] : e.offsets) offsets.push_back({start, end});
  j["offsets"] = std::move(offsets);
  if (pair) j["type_ids"] = e.type_ids;
  return j;
}

std::string tokenize_line(const Tokenizer& tokenizer, std::string_view line,
                          const TokenizeLineOptions& options, const std::string& where) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t bad = first_invalid_utf8(line);
  if (bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(line[bad])));
    throw Error(
        str_cat(where, ": expected UTF-8 text, got the invalid byte ", hex, " at byte ", bad + 1));
  }
  Encoding e;
  if (options.pair) {
    const size_t tab = line.find('\t');
    const size_t fields = tab == std::string_view::npos                        ? 1
                          : line.find('\t', tab + 1) == std::string_view::npos ? 2
                                                                               : 3;
    ADALORA_CHECK(fields == 2, where, ": expected two tab-separated fields (--pair), got ",
                  fields == 3 ? "more than two" : "one (no tab)");
    e = tokenizer.encode_pair(line.substr(0, tab), line.substr(tab + 1),
                              options.add_special_tokens);
  } else {
    e = tokenizer.encode(line, options.add_special_tokens);
  }
  return encoding_to_json(e, options.pair).dump();
}

}  // namespace adalora::tokenizers
