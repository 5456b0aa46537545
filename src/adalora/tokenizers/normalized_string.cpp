// NormalizedString: alignment bookkeeping (see normalized_string.h).
#include "adalora/tokenizers/normalized_string.h"

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
    const size_t at = begin < source_.align.size() ? source_.align[begin].first : source_.original.second;
    for (char32_t c : with) {
      out_.text.push_back(c);
      out_.align.emplace_back(at, at);
    }
    return;
  }
  if (with.size() == end - begin) {
    for (size_t k = 0; k < with.size(); ++k) {
      out_.text.push_back(with[k]);
      out_.align.push_back(source_.align[begin + k]);
    }
    return;
  }
  const Offsets span{source_.align[begin].first, source_.align[end - 1].second};
  for (char32_t c : with) {
    out_.text.push_back(c);
    out_.align.push_back(span);
  }
}

}  // namespace adalora::tokenizers
