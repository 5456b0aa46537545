// The pre-tokenisers of tokenizer.json (see pre_tokenizers.h), one class per HF `type`.
#include "adalora/tokenizers/pre_tokenizers.h"

#include <array>

#include "adalora/core/error.h"
#include "adalora/tokenizers/json_fields.h"
#include "adalora/tokenizers/regex.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;

// HF's SplitDelimiterBehavior.
enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior behavior_from_string(const std::string& s, const std::string& where) {
  if (s == "Removed") return Behavior::Removed;
  if (s == "Isolated") return Behavior::Isolated;
  if (s == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (s == "MergedWithNext") return Behavior::MergedWithNext;
  if (s == "Contiguous") return Behavior::Contiguous;
  throw Error(str_cat(where, ": behavior: expected Removed, Isolated, MergedWithPrevious, MergedWithNext or "
                             "Contiguous, got \"", s, "\""));
}

// Splits `s` given the spans `matches` (sorted, non-overlapping), as HF's NormalizedString::split.
void split_by(const NormalizedString& s, const std::vector<Offsets>& matches, Behavior behavior, bool invert,
              std::vector<NormalizedString>& out) {
  // (span, is_match) covering the whole string.
  std::vector<std::pair<Offsets, bool>> parts;
  size_t at = 0;
  for (const auto& m : matches) {
    if (m.first > at) parts.push_back({{at, m.first}, false});
    parts.push_back({m, true});
    at = m.second;
  }
  if (at < s.size()) parts.push_back({{at, s.size()}, false});
  if (invert) {
    for (auto& p : parts) p.second = !p.second;
  }
  std::vector<Offsets> pieces;
  switch (behavior) {
    case Behavior::Removed:
      for (const auto& [span, is_match] : parts) {
        if (!is_match) pieces.push_back(span);
      }
      break;
    case Behavior::Isolated:
      for (const auto& p : parts) pieces.push_back(p.first);
      break;
    case Behavior::MergedWithPrevious: {
      bool previous_match = false;
      for (const auto& [span, is_match] : parts) {
        if (is_match && !previous_match && !pieces.empty()) {
          pieces.back().second = span.second;
        } else {
          pieces.push_back(span);
        }
        previous_match = is_match;
      }
      break;
    }
    case Behavior::MergedWithNext: {
      bool previous_match = false;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it->second && !previous_match && !pieces.empty()) {
          pieces.back().first = it->first.first;
        } else {
          pieces.push_back(it->first);
        }
        previous_match = it->second;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
    }
    case Behavior::Contiguous: {
      bool previous_match = false;
      for (const auto& [span, is_match] : parts) {
        if (is_match == previous_match && !pieces.empty()) {
          pieces.back().second = span.second;
        } else {
          pieces.push_back(span);
        }
        previous_match = is_match;
      }
      break;
    }
  }
  for (const auto& [b, e] : pieces) {
    if (e > b) out.push_back(s.slice(b, e));
  }
}

template <typename Pred>
std::vector<Offsets> char_matches(const std::u32string& text, Pred pred) {
  std::vector<Offsets> m;
  for (size_t i = 0; i < text.size(); ++i) {
    if (pred(text[i])) m.emplace_back(i, i + 1);
  }
  return m;
}

template <typename F>
void for_each_piece(std::vector<NormalizedString>& pieces, F split_one) {
  std::vector<NormalizedString> out;
  out.reserve(pieces.size() * 2);
  for (const auto& p : pieces) split_one(p, out);
  pieces = std::move(out);
}

class BertPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [](const NormalizedString& p, std::vector<NormalizedString>& out) {
      std::vector<NormalizedString> words;
      split_by(p, char_matches(p.text, is_whitespace), Behavior::Removed, false, words);
      for (const auto& w : words) split_by(w, char_matches(w.text, is_bert_punctuation), Behavior::Isolated, false, out);
    });
  }
};

class WhitespacePreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    // \w+|[^\w\s]+ : runs of word characters, runs of other non-space characters.
    for_each_piece(pieces, [](const NormalizedString& p, std::vector<NormalizedString>& out) {
      std::vector<Offsets> m;
      size_t i = 0;
      while (i < p.size()) {
        const char32_t c = p.text[i];
        if (is_whitespace(c)) {
          ++i;
          continue;
        }
        const bool word = is_word_char(c);
        size_t j = i + 1;
        while (j < p.size() && !is_whitespace(p.text[j]) && is_word_char(p.text[j]) == word) ++j;
        m.emplace_back(i, j);
        i = j;
      }
      split_by(p, m, Behavior::Removed, true, out);
    });
  }
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [](const NormalizedString& p, std::vector<NormalizedString>& out) {
      split_by(p, char_matches(p.text, is_whitespace), Behavior::Removed, false, out);
    });
  }
};

class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(Behavior behavior) : behavior_(behavior) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [this](const NormalizedString& p, std::vector<NormalizedString>& out) {
      split_by(p, char_matches(p.text, is_bert_punctuation), behavior_, false, out);
    });
  }

 private:
  Behavior behavior_;
};

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [this](const NormalizedString& p, std::vector<NormalizedString>& out) {
      split_by(p, char_matches(p.text, is_numeric), individual_ ? Behavior::Isolated : Behavior::Contiguous, false,
               out);
    });
  }

 private:
  bool individual_;
};

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(const std::string& pattern, bool literal, Behavior behavior, bool invert, const std::string& where)
      : regex_(std::make_shared<Regex>(pattern, literal, where)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [this](const NormalizedString& p, std::vector<NormalizedString>& out) {
      split_by(p, regex_->find_all(p.text), behavior_, invert_, out);
    });
  }

 private:
  std::shared_ptr<Regex> regex_;
  Behavior behavior_;
  bool invert_;
};

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [this](const NormalizedString& p0, std::vector<NormalizedString>& out) {
      NormalizedString p = p0;
      if (add_prefix_space_ && !p.empty() && p.text[0] != ' ') {
        NormalizedBuilder b(p);
        b.replace(0, 0, U" ");
        for (size_t i = 0; i < p.size(); ++i) b.keep(i);
        p = b.finish();
      }
      std::vector<NormalizedString> words;
      if (use_regex_) {
        split_by(p, gpt2_split(p.text), Behavior::Isolated, false, words);
      } else {
        words.push_back(std::move(p));
      }
      std::string bytes;
      for (const auto& w : words) {
        NormalizedString mapped;
        mapped.original = w.original;
        mapped.text.reserve(w.size() * 2);
        for (size_t i = 0; i < w.size(); ++i) {
          bytes.clear();
          append_utf8(bytes, w.text[i]);
          for (char ch : bytes) {
            mapped.text.push_back(byte_to_char(static_cast<unsigned char>(ch)));
            mapped.align.push_back(w.align[i]);
          }
        }
        out.push_back(std::move(mapped));
      }
    });
  }

 private:
  bool add_prefix_space_, use_regex_;
};

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, std::string prepend_scheme, bool split)
      : replacement_(replacement), prepend_scheme_(std::move(prepend_scheme)), split_(split) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for_each_piece(pieces, [this](const NormalizedString& p, std::vector<NormalizedString>& out) {
      NormalizedBuilder b(p);
      const bool prepend = !p.empty() && p.text[0] != replacement_ && p.text[0] != ' ' &&
                           (prepend_scheme_ == "always" || (prepend_scheme_ == "first" && p.original.first == 0));
      if (prepend) b.replace(0, 0, std::u32string(1, replacement_));
      for (size_t i = 0; i < p.size(); ++i) {
        if (p.text[i] == ' ') {
          b.replace(i, i + 1, std::u32string(1, replacement_));
        } else {
          b.keep(i);
        }
      }
      NormalizedString replaced = b.finish();
      if (split_) {
        split_by(replaced, char_matches(replaced.text, [this](char32_t c) { return c == replacement_; }),
                 Behavior::MergedWithNext, false, out);
      } else if (!replaced.empty()) {
        out.push_back(std::move(replaced));
      }
    });
  }

 private:
  char32_t replacement_;
  std::string prepend_scheme_;
  bool split_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<PreTokenizerPtr> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(std::vector<NormalizedString>& pieces) const override {
    for (const auto& p : parts_) p->pre_tokenize(pieces);
  }

 private:
  std::vector<PreTokenizerPtr> parts_;
};

const std::array<char32_t, 256>& byte_table() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[static_cast<size_t>(b)] = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
    }
    return t;
  }();
  return table;
}

}  // namespace

char32_t byte_to_char(unsigned char b) { return byte_table()[b]; }

int char_to_byte(char32_t c) {
  static const std::vector<int> inverse = [] {
    std::vector<int> inv(512, -1);
    for (int b = 0; b < 256; ++b) inv[byte_table()[static_cast<size_t>(b)]] = b;
    return inv;
  }();
  return c < inverse.size() ? inverse[c] : -1;
}

std::vector<Offsets> gpt2_split(std::u32string_view t) {
  std::vector<Offsets> out;
  const size_t n = t.size();
  auto other = [](char32_t c) { return !is_whitespace(c) && !is_letter(c) && !is_numeric(c); };
  size_t i = 0;
  while (i < n) {
    const char32_t c = t[i];
    // 's|'t|'re|'ve|'m|'ll|'d
    if (c == '\'' && i + 1 < n) {
      const char32_t a = t[i + 1];
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        out.emplace_back(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < n && ((a == 'r' && t[i + 2] == 'e') || (a == 'v' && t[i + 2] == 'e') || (a == 'l' && t[i + 2] == 'l'))) {
        out.emplace_back(i, i + 3);
        i += 3;
        continue;
      }
    }
    // ' ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+'
    const size_t j = (c == ' ' && i + 1 < n) ? i + 1 : i;
    if (j < n) {
      const char32_t d = t[j];
      bool (*cls)(char32_t) = nullptr;
      if (is_letter(d)) cls = is_letter;
      else if (is_numeric(d)) cls = is_numeric;
      if (cls != nullptr) {
        size_t k = j + 1;
        while (k < n && cls(t[k])) ++k;
        out.emplace_back(i, k);
        i = k;
        continue;
      }
      if (other(d)) {
        size_t k = j + 1;
        while (k < n && other(t[k])) ++k;
        out.emplace_back(i, k);
        i = k;
        continue;
      }
    }
    // \s+(?!\S)|\s+
    size_t k = i;
    while (k < n && is_whitespace(t[k])) ++k;
    if (k == i) {
      // Unreachable: every character is whitespace, a letter, a number or "other".
      out.emplace_back(i, i + 1);
      ++i;
      continue;
    }
    size_t end = k;
    if (k < n && k - i > 1) end = k - 1;
    out.emplace_back(i, end);
    i = end;
  }
  return out;
}

PreTokenizerPtr make_bert_pre_tokenizer() { return std::make_shared<BertPreTokenizer>(); }
PreTokenizerPtr make_byte_level_pre_tokenizer(bool add_prefix_space, bool use_regex) {
  return std::make_shared<ByteLevelPreTokenizer>(add_prefix_space, use_regex);
}
PreTokenizerPtr make_metaspace_pre_tokenizer(char32_t replacement, const std::string& prepend_scheme, bool split) {
  return std::make_shared<MetaspacePreTokenizer>(replacement, prepend_scheme, split);
}

PreTokenizerPtr pre_tokenizer_from_json(const json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  ADALORA_CHECK(j.is_object() && j.contains("type"), where, ": pre_tokenizer: expected an object with \"type\", got ",
                j.dump().substr(0, 100));
  const std::string type = j.at("type").get<std::string>();
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "Whitespace") return std::make_shared<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_shared<WhitespaceSplitPreTokenizer>();
  if (type == "ByteLevel") return make_byte_level_pre_tokenizer(get_bool(j, "add_prefix_space", true), get_bool(j, "use_regex", true));
  if (type == "Metaspace") {
    const std::u32string rep = utf8_to_u32(j.value("replacement", std::string("\xE2\x96\x81")));
    ADALORA_CHECK(rep.size() == 1, where, ": pre_tokenizer Metaspace: replacement: expected one character, got ", rep.size());
    std::string scheme = "always";
    if (j.contains("prepend_scheme")) {
      scheme = j.at("prepend_scheme").get<std::string>();
    } else if (j.contains("add_prefix_space")) {
      scheme = j.at("add_prefix_space").get<bool>() ? "always" : "never";
    }
    return make_metaspace_pre_tokenizer(rep[0], scheme, get_bool(j, "split", true));
  }
  if (type == "Punctuation") return std::make_shared<PunctuationPreTokenizer>(behavior_from_string(j.value("behavior", std::string("Isolated")), where));
  if (type == "Digits") return std::make_shared<DigitsPreTokenizer>(get_bool(j, "individual_digits", false));
  if (type == "Split") {
    const json& p = j.at("pattern");
    const bool literal = p.contains("String");
    const std::string pattern = literal ? p.at("String").get<std::string>() : p.at("Regex").get<std::string>();
    return std::make_shared<SplitPreTokenizer>(pattern, literal, behavior_from_string(j.at("behavior").get<std::string>(), where),
                                               get_bool(j, "invert", false), where + ": pre_tokenizer Split");
  }
  if (type == "Sequence") {
    std::vector<PreTokenizerPtr> parts;
    for (const auto& p : j.at("pretokenizers")) {
      if (auto t = pre_tokenizer_from_json(p, where)) parts.push_back(std::move(t));
    }
    return std::make_shared<SequencePreTokenizer>(std::move(parts));
  }
  throw Error(str_cat(where, ": pre_tokenizer: type \"", type,
                      "\" is not supported (supported: BertPreTokenizer, ByteLevel, Digits, Metaspace, Punctuation, "
                      "Sequence, Split, Whitespace, WhitespaceSplit)"));
}

}  // namespace adalora::tokenizers
