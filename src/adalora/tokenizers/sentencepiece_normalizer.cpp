// SentencePiece's normaliser over a NormalizedString (see sentencepiece_normalizer.h).
#include "adalora/tokenizers/sentencepiece_normalizer.h"

#include <algorithm>
#include <optional>

#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {

SpmSymbolMatcher::SpmSymbolMatcher(const std::vector<std::u32string>& symbols) {
  for (const auto& s : symbols) {
    if (!s.empty()) by_first_[s[0]].push_back(s);
  }
  for (auto& [first, list] : by_first_) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  }
}

size_t SpmSymbolMatcher::match(std::u32string_view text, size_t pos) const {
  if (pos >= text.size()) return 0;
  auto it = by_first_.find(text[pos]);
  if (it == by_first_.end()) return 0;
  for (const auto& s : it->second) {
    if (text.compare(pos, s.size(), s) == 0) return s.size();
  }
  return 0;
}

SpmSymbolMatcher user_defined_symbols(const SpmModelProto& model) {
  std::vector<std::u32string> symbols;
  for (const SpmPiece& p : model.pieces) {
    if (p.type == SpmPiece::UserDefined) symbols.push_back(utf8_to_u32(p.piece));
  }
  return SpmSymbolMatcher(symbols);
}

namespace {

constexpr char32_t kSpaceSymbol = U'\u2581';

class SentencePieceNormalizer : public Normalizer {
 public:
  SentencePieceNormalizer(const SpmModelProto& model, const std::string& where)
      : matcher_(user_defined_symbols(model)),
        add_dummy_prefix_(model.add_dummy_prefix),
        remove_extra_whitespaces_(model.remove_extra_whitespaces),
        escape_whitespaces_(model.escape_whitespaces),
        treat_whitespace_as_suffix_(model.treat_whitespace_as_suffix) {
    if (!model.precompiled_charsmap.empty()) {
      charsmap_ = PrecompiledCharsmap::parse(model.precompiled_charsmap, where + ": normalizer_spec");
    }
  }

  void normalize(NormalizedString& s) const override {
    if (s.empty()) return;
    const size_t n = s.size();
    // UTF-8 of the text and where each character starts in it, for the charsmap's byte trie.
    std::string bytes;
    std::vector<size_t> byte_start(n + 1);
    for (size_t i = 0; i < n; ++i) {
      byte_start[i] = bytes.size();
      append_utf8(bytes, s.text[i]);
    }
    byte_start[n] = bytes.size();

    // NormalizePrefix: (replacement, characters consumed) at character i.
    auto prefix = [&](size_t i) -> std::pair<std::u32string, size_t> {
      if (const size_t len = matcher_.match(s.text, i)) return {s.text.substr(i, len), len};
      if (charsmap_) {
        if (auto hit = charsmap_->longest_prefix(std::string_view(bytes).substr(byte_start[i]))) {
          const size_t end_byte = byte_start[i] + hit->second;
          size_t j = i + 1;
          while (j < n && byte_start[j] < end_byte) ++j;  // a key always ends on a character
          return {utf8_to_u32(hit->first), j - i};
        }
      }
      return {std::u32string(1, s.text[i]), 1};
    };
    const char32_t space = escape_whitespaces_ ? kSpaceSymbol : U' ';

    size_t i = 0;
    if (remove_extra_whitespaces_) {
      while (i < n) {
        auto [sp, len] = prefix(i);
        if (sp != U" ") break;
        i += len;
      }
    }
    if (i == n) {  // only whitespace
      s.text.clear();
      s.align.clear();
      return;
    }
    NormalizedString out;
    out.original = s.original;
    out.text.reserve(n + 1);
    out.align.reserve(n + 1);
    const Offsets start{s.align[i].first, s.align[i].first};
    if (add_dummy_prefix_ && !treat_whitespace_as_suffix_) {
      out.text.push_back(space);
      out.align.push_back(start);
    }
    bool is_prev_space = remove_extra_whitespaces_;
    while (i < n) {
      auto [sp, len] = prefix(i);
      const Offsets span{s.align[i].first, s.align[i + len - 1].second};
      size_t k = 0;
      while (is_prev_space && k < sp.size() && sp[k] == U' ') ++k;
      if (k < sp.size()) {
        for (; k < sp.size(); ++k) {
          out.text.push_back(escape_whitespaces_ && sp[k] == U' ' ? kSpaceSymbol : sp[k]);
          out.align.push_back(span);
        }
        is_prev_space = sp.back() == U' ';
      }
      i += len;
      if (!remove_extra_whitespaces_) is_prev_space = false;
    }
    if (remove_extra_whitespaces_) {
      while (!out.text.empty() && out.text.back() == space) {
        out.text.pop_back();
        out.align.pop_back();
      }
    }
    if (add_dummy_prefix_ && treat_whitespace_as_suffix_) {
      const size_t end = out.align.empty() ? start.first : out.align.back().second;
      out.text.push_back(space);
      out.align.push_back({end, end});
    }
    s = std::move(out);
  }

 private:
  SpmSymbolMatcher matcher_;
  std::optional<PrecompiledCharsmap> charsmap_;
  bool add_dummy_prefix_, remove_extra_whitespaces_, escape_whitespaces_, treat_whitespace_as_suffix_;
};

}  // namespace

NormalizerPtr make_sentencepiece_normalizer(const SpmModelProto& model, const std::string& where) {
  return std::make_shared<SentencePieceNormalizer>(model, where);
}

}  // namespace adalora::tokenizers
