// Label vocabularies and number parsing (see labels.h).
#include "adalora/data/labels.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace adalora::data {

std::optional<int64_t> parse_integer(const std::string& text) {
  size_t i = text.size() > 1 && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return std::nullopt;
  for (size_t k = i; k < text.size(); ++k) {
    if (text[k] < '0' || text[k] > '9') return std::nullopt;
  }
  errno = 0;
  const long long value = std::strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<double> parse_real(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> sorted_label_names(const std::vector<std::string>& raw_labels) {
  std::vector<std::string> names = raw_labels;
  const bool all_integers = std::all_of(names.begin(), names.end(), [](const std::string& s) {
    return parse_integer(s).has_value();
  });
  if (all_integers) {
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      // "01" and "1" are the same integer but different labels: ties break by string.
      const int64_t ia = *parse_integer(a), ib = *parse_integer(b);
      return ia != ib ? ia < ib : a < b;
    });
  } else {
    std::sort(names.begin(), names.end());
  }
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::optional<int64_t> find_label(const std::vector<std::string>& names, const std::string& raw) {
  const auto it = std::find(names.begin(), names.end(), raw);
  if (it == names.end()) return std::nullopt;
  return static_cast<int64_t>(it - names.begin());
}

}  // namespace adalora::data
