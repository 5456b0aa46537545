// SentencePiece's precompiled normalisation map (normalizer_spec.precompiled_charsmap): a Darts
// double-array trie from UTF-8 byte strings to offsets into a table of NUL-terminated replacements.
// Mirrors sentencepiece normalizer.cc and HF's spm_precompiled crate (used by the "Precompiled"
// normalizer of tokenizer.json, where the blob is base64). Only lookup is implemented; building a
// map is the SentencePiece trainer's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adalora::tokenizers {

class PrecompiledCharsmap {
 public:
  /// Parses the raw blob: uint32 little-endian trie size in bytes, the trie units, the replacements.
  /// Throws adalora::Error naming `where` when the blob is malformed.
  static PrecompiledCharsmap parse(std::string_view blob, const std::string& where);
  /// The replacement for the shortest trie key that is a prefix of `chunk` (HF's transform()).
  std::optional<std::string_view> transform(std::string_view chunk) const;
  /// SentencePiece's own lookup (normalizer.cc NormalizePrefix): the replacement for the longest
  /// trie key that is a prefix of `text`, and that key's length in bytes; nullopt when none is.
  std::optional<std::pair<std::string_view, size_t>> longest_prefix(std::string_view text) const;

 private:
  std::vector<uint32_t> trie_;
  std::string normalized_;
};

/// Decodes standard base64 (RFC 4648, '=' padding); throws adalora::Error naming `where`.
std::string base64_decode(std::string_view text, const std::string& where);

}  // namespace adalora::tokenizers
