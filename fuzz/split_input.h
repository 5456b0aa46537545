// Inputs that are several files: the parts are separated by NUL bytes (which none of the text
// formats split this way may contain), so one fuzz input can be vocab.json + merges.txt + config.
#pragma once

#include <string_view>
#include <vector>

namespace adalora::fuzz {

/// Splits `bytes` at its first `parts - 1` NUL bytes (fewer parts when it has fewer NULs).
inline std::vector<std::string_view> split_parts(std::string_view bytes, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const size_t nul = bytes.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(bytes.substr(0, nul));
    bytes.remove_prefix(nul + 1);
  }
  out.push_back(bytes);
  return out;
}

}  // namespace adalora::fuzz
