// A piece of text under normalisation that remembers, for every code point, which code points of
// the original text it came from — HF tokenizers' NormalizedString, reduced to what offsets need.
// Offsets are code-point (Python character) indices into the original text. Rewrites align new
// characters as HF's NormalizedString::transform does (checked against HF's offsets in
// tests/unit/tokenizers/tokenizer_test.cpp): one to one, extras sharing the last replaced span.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace adalora::tokenizers {

/// [start, end) in code points of the original text.
using Offsets = std::pair<size_t, size_t>;

struct NormalizedString {
  std::u32string text;         ///< the normalised code points
  std::vector<Offsets> align;  ///< align[i]: original span of text[i]; same size as text
  Offsets original{0, 0};      ///< original span of the whole piece (meaningful when empty)

  /// The original text itself, shifted by `shift` code points.
  static NormalizedString from_original(std::u32string_view text, size_t shift = 0);
  bool empty() const { return text.empty(); }
  size_t size() const { return text.size(); }
  /// The sub-piece [begin, end) of the normalised text.
  NormalizedString slice(size_t begin, size_t end) const;
  /// Original span of the normalised range [begin, end).
  Offsets original_offsets(size_t begin, size_t end) const;
  std::string utf8() const;
};

/// Builds a NormalizedString from a source one, chunk by chunk.
class NormalizedBuilder {
 public:
  explicit NormalizedBuilder(const NormalizedString& source) : source_(source) {
    out_.original = source.original;
    out_.text.reserve(source.text.size());
    out_.align.reserve(source.text.size());
  }
  /// Keeps source character i unchanged.
  void keep(size_t i) {
    out_.text.push_back(source_.text[i]);
    out_.align.push_back(source_.align[i]);
  }
  /// Replaces source characters [begin, end) by `with` (empty: removes them), as HF's transform:
  /// the first min(n, m) new characters align one to one with the replaced ones, further new
  /// characters share the span of the last of those, further old characters are dropped with their
  /// span. An insertion (begin == end) shares the span of source character `begin` (HF's prepend).
  void replace(size_t begin, size_t end, std::u32string_view with);
  /// HF's NormalizedString::replace (the Replace normaliser): every new character shares the span
  /// of the last replaced character.
  void substitute(size_t begin, size_t end, std::u32string_view with);
  NormalizedString finish() { return std::move(out_); }

 private:
  const NormalizedString& source_;
  NormalizedString out_;
};

}  // namespace adalora::tokenizers
