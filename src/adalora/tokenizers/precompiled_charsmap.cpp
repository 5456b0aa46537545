// Darts double-array lookup (see precompiled_charsmap.h). Unit layout from darts-clone:
// has_leaf = bit 8, value = low 31 bits, label = bit 31 | low byte, offset = (unit >> 10) << ((unit &
// (1 << 9)) >> 6).
#include "adalora/tokenizers/precompiled_charsmap.h"

#include <cstring>

#include "adalora/core/error.h"

namespace adalora::tokenizers {
namespace {
bool has_leaf(uint32_t unit) { return ((unit >> 8) & 1) == 1; }
uint32_t value(uint32_t unit) { return unit & ((1u << 31) - 1); }
uint32_t label(uint32_t unit) { return unit & ((1u << 31) | 0xFF); }
uint32_t offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }
}  // namespace

PrecompiledCharsmap PrecompiledCharsmap::parse(std::string_view blob, const std::string& where) {
  ADALORA_CHECK(blob.size() >= 4, where, ": precompiled_charsmap: expected at least 4 bytes, got ", blob.size());
  uint32_t trie_bytes = 0;
  for (int k = 3; k >= 0; --k) trie_bytes = (trie_bytes << 8) | static_cast<unsigned char>(blob[k]);
  ADALORA_CHECK(trie_bytes % 4 == 0 && 4 + static_cast<size_t>(trie_bytes) <= blob.size(), where,
                ": precompiled_charsmap: expected a trie size (multiple of 4) within the ", blob.size(),
                "-byte blob, got ", trie_bytes);
  PrecompiledCharsmap map;
  map.trie_.resize(trie_bytes / 4);
  for (size_t i = 0; i < map.trie_.size(); ++i) {
    uint32_t u = 0;
    for (int k = 3; k >= 0; --k) u = (u << 8) | static_cast<unsigned char>(blob[4 + 4 * i + k]);
    map.trie_[i] = u;
  }
  map.normalized_ = std::string(blob.substr(4 + trie_bytes));
  ADALORA_CHECK(!map.trie_.empty(), where, ": precompiled_charsmap: expected a non-empty trie, got 0 units");
  return map;
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const {
  size_t node = 0;
  uint32_t unit = trie_[node];
  node ^= offset(unit);
  for (char ch : chunk) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    node ^= c;
    if (node >= trie_.size()) return std::nullopt;
    unit = trie_[node];
    if (label(unit) != c) return std::nullopt;
    node ^= offset(unit);
    if (has_leaf(unit)) {
      if (node >= trie_.size()) return std::nullopt;
      const size_t index = value(trie_[node]);
      if (index >= normalized_.size()) return std::nullopt;
      const size_t end = normalized_.find('\0', index);
      return std::string_view(normalized_).substr(index, (end == std::string::npos ? normalized_.size() : end) - index);
    }
  }
  return std::nullopt;
}

std::optional<std::pair<std::string_view, size_t>> PrecompiledCharsmap::longest_prefix(std::string_view text) const {
  std::optional<std::pair<std::string_view, size_t>> best;
  size_t node = offset(trie_[0]);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) break;
    node ^= c;
    if (node >= trie_.size()) break;
    const uint32_t unit = trie_[node];
    if (label(unit) != c) break;
    node ^= offset(unit);
    if (!has_leaf(unit)) continue;
    if (node >= trie_.size()) break;
    const size_t index = value(trie_[node]);
    if (index >= normalized_.size()) break;
    const size_t end = normalized_.find('\0', index);
    best = std::make_pair(
        std::string_view(normalized_).substr(index, (end == std::string::npos ? normalized_.size() : end) - index),
        i + 1);
  }
  return best;
}

std::string base64_decode(std::string_view text, const std::string& where) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const int v = value_of(c);
    ADALORA_CHECK(v >= 0, where, ": expected base64, got the character '", c, "'");
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace adalora::tokenizers
