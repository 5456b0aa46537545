// NormalizedString: alignment bookkeeping (see normalized_string.h).
#include "adalora/tokenizers/normalized_string.h"

#include <algorithm>

#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {

NormalizedString NormalizedString::from_original(std::u32string_view text, size_t shift) {
  NormalizedString s;
  s.text = std::u32string(text);
  s.align.resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) s.align[i] = {shift + i, shift + i + 1};
  s.original = {shift, shift + text.size()};
  return s;
}

NormalizedString NormalizedString::slice(size_t begin, size_t end) const {
  NormalizedString s;
  s.text = text.substr(begin, end - begin);
  s.align.assign(align.begin() + static_cast<std::ptrdiff_t>(begin),
                 align.begin() + static_cast<std::ptrdiff_t>(end));
  s.original = original_offsets(begin, end);
  return s;
}

Offsets NormalizedString::original_offsets(size_t begin, size_t end) const {
  if (begin >= end || begin >= align.size()) {
    // Empty range: the position just before normalised character `begin`.
    const size_t at = begin < align.size() ? align[begin].first : original.second;
    return {at, at};
  }
  return {align[begin].first, align[std::min(end, align.size()) - 1].second};
}

std::string NormalizedString::utf8() const { return u32_to_utf8(text); }

void NormalizedBuilder::replace(size_t begin, size_t end, std::u32string_view with) {
  if (with.empty()) return;
  if (begin == end) {
    // HF's prepend/insert: the new characters share the span of the character they precede.
    const Offsets at = begin < source_.align.size() ? source_.align[begin]
                       : begin > 0                  ? source_.align[begin - 1]
                                   : Offsets{source_.original.second, source_.original.second};
    for (char32_t c : with) {
      out_.text.push_back(c);
      out_.align.push_back(at);
    }
    return;
  }
  // HF's transform: new characters replace old ones one to one; extra new characters share the span
  // of the last replaced one; extra old characters are dropped (their span is lost, as in HF).
  const size_t n = end - begin;
  for (size_t k = 0; k < with.size(); ++k) {
    out_.text.push_back(with[k]);
    out_.align.push_back(source_.align[begin + std::min(k, n - 1)]);
  }
}

void NormalizedBuilder::substitute(size_t begin, size_t end, std::u32string_view with) {
  if (begin == end) {
    replace(begin, end, with);
    return;
  }
  for (char32_t c : with) {
    out_.text.push_back(c);
    out_.align.push_back(source_.align[end - 1]);
  }
}

}  // namespace adalora::tokenizers
