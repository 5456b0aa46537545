// The normalisers of tokenizer.json (see normalizers.h). One class per HF `type`, dispatched in
// normalizer_from_json.
#include "adalora/tokenizers/normalizers.h"

#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include "adalora/core/error.h"
#include "adalora/tokenizers/json_fields.h"
#include "adalora/tokenizers/regex.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;

bool all_ascii(const std::u32string& text) {
  for (char32_t c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Normalises segment by segment (segments start where ICU says a boundary may be), so that each
// output character stays aligned to the few original characters it came from.
void apply_form(NormalizedString& s, NormalizationForm form) {
  if (all_ascii(s.text)) return;
  NormalizedBuilder out(s);
  const size_t n = s.text.size();
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && !has_boundary_before(s.text[j], form)) ++j;
    const std::u32string_view segment(s.text.data() + i, j - i);
    const std::u32string normalized = normalize(segment, form);
    if (normalized == segment) {
      for (size_t k = i; k < j; ++k) out.keep(k);
    } else {
      out.replace(i, j, normalized);
    }
    i = j;
  }
  s = out.finish();
}

void apply_lowercase(NormalizedString& s) {
  NormalizedBuilder out(s);
  for (size_t i = 0; i < s.text.size(); ++i) {
    const char32_t c = s.text[i];
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        out.replace(i, i + 1, std::u32string(1, c + 32));
      } else {
        out.keep(i);
      }
      continue;
    }
    const std::u32string lower = to_lower(c);
    if (lower.size() == 1 && lower[0] == c) {
      out.keep(i);
    } else {
      out.replace(i, i + 1, lower);
    }
  }
  s = out.finish();
}

template <typename Pred>
void remove_if(NormalizedString& s, Pred pred) {
  NormalizedBuilder out(s);
  for (size_t i = 0; i < s.text.size(); ++i) {
    if (!pred(s.text[i])) out.keep(i);
  }
  s = out.finish();
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}

  void normalize(NormalizedString& s) const override {
    if (clean_text_) {
      NormalizedBuilder out(s);
      for (size_t i = 0; i < s.text.size(); ++i) {
        const char32_t c = s.text[i];
        if (c == 0 || c == 0xFFFD || is_bert_control(c)) continue;
        if (c != ' ' && is_bert_whitespace(c)) {
          out.replace(i, i + 1, U" ");
        } else {
          out.keep(i);
        }
      }
      s = out.finish();
    }
    if (handle_chinese_chars_) {
      NormalizedBuilder out(s);
      for (size_t i = 0; i < s.text.size(); ++i) {
        if (is_cjk(s.text[i])) {
          out.replace(i, i + 1, std::u32string{U' ', s.text[i], U' '});
        } else {
          out.keep(i);
        }
      }
      s = out.finish();
    }
    if (strip_accents_) {
      apply_form(s, NormalizationForm::NFD);
      remove_if(s, is_nonspacing_mark);
    }
    if (lowercase_) apply_lowercase(s);
  }

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

class FormNormalizer : public Normalizer {
 public:
  explicit FormNormalizer(NormalizationForm form) : form_(form) {}
  void normalize(NormalizedString& s) const override { apply_form(s, form_); }

 private:
  NormalizationForm form_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { apply_lowercase(s); }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    remove_if(s, [](char32_t c) { return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_M_MASK) != 0; });
  }
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override {
    size_t b = 0, e = s.text.size();
    if (left_) {
      while (b < e && is_whitespace(s.text[b])) ++b;
    }
    if (right_) {
      while (e > b && is_whitespace(s.text[e - 1])) --e;
    }
    if (b == 0 && e == s.text.size()) return;
    NormalizedString out = s.slice(b, e);
    out.original = s.original;
    s = std::move(out);
  }

 private:
  bool left_, right_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::u32string prefix) : prefix_(std::move(prefix)) {}
  void normalize(NormalizedString& s) const override {
    if (s.empty()) return;
    NormalizedBuilder out(s);
    out.replace(0, 0, prefix_);
    for (size_t i = 0; i < s.text.size(); ++i) out.keep(i);
    s = out.finish();
  }

 private:
  std::u32string prefix_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(const std::string& pattern, bool literal, const std::string& content, const std::string& where)
      : regex_(std::make_shared<Regex>(pattern, literal, where)), content_(utf8_to_u32(content)) {}
  void normalize(NormalizedString& s) const override {
    const std::vector<Offsets> matches = regex_->find_all(s.text);
    if (matches.empty()) return;
    NormalizedBuilder out(s);
    size_t i = 0;
    for (const auto& [b, e] : matches) {
      for (; i < b; ++i) out.keep(i);
      out.substitute(b, e, content_);
      i = e;
    }
    for (; i < s.text.size(); ++i) out.keep(i);
    s = out.finish();
  }

 private:
  std::shared_ptr<Regex> regex_;
  std::u32string content_;
};

// HF's Precompiled normaliser: for each grapheme cluster shorter than 6 UTF-8 bytes, try the map on
// the whole cluster; otherwise (or when that fails) on each of its characters.
class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap map) : map_(std::move(map)) {}
  void normalize(NormalizedString& s) const override {
    if (s.empty()) return;
    thread_local std::unique_ptr<icu::BreakIterator> graphemes = [] {
      UErrorCode status = U_ZERO_ERROR;
      std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
      ADALORA_CHECK(U_SUCCESS(status), "ICU: cannot create a grapheme iterator: ", u_errorName(status));
      return it;
    }();
    const icu::UnicodeString u16 = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.text.data()),
                                                                 static_cast<int32_t>(s.text.size()));
    graphemes->setText(u16);
    NormalizedBuilder out(s);
    bool modified = false;
    size_t cp = 0;  // code-point index of the current UTF-16 position
    int32_t prev = graphemes->first();
    std::string bytes;
    for (int32_t next = graphemes->next(); next != icu::BreakIterator::DONE; next = graphemes->next()) {
      const size_t cp_begin = cp;
      for (int32_t k = prev; k < next; k = u16.moveIndex32(k, 1)) ++cp;
      prev = next;
      bytes.clear();
      for (size_t k = cp_begin; k < cp; ++k) append_utf8(bytes, s.text[k]);
      if (bytes.size() < 6) {
        if (auto norm = map_.transform(bytes)) {
          modified = true;
          out.replace(cp_begin, cp, utf8_to_u32(*norm));
          continue;
        }
      }
      for (size_t k = cp_begin; k < cp; ++k) {
        bytes.clear();
        append_utf8(bytes, s.text[k]);
        if (auto norm = map_.transform(bytes)) {
          modified = true;
          out.replace(k, k + 1, utf8_to_u32(*norm));
        } else {
          out.keep(k);
        }
      }
    }
    if (modified) s = out.finish();
  }

 private:
  PrecompiledCharsmap map_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<NormalizerPtr> parts) : parts_(std::move(parts)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& p : parts_) p->normalize(s);
  }

 private:
  std::vector<NormalizerPtr> parts_;
};

}  // namespace

NormalizerPtr make_bert_normalizer(bool clean_text, bool handle_chinese_chars, int strip_accents, bool lowercase) {
  return std::make_shared<BertNormalizer>(clean_text, handle_chinese_chars,
                                          strip_accents < 0 ? lowercase : strip_accents != 0, lowercase);
}
NormalizerPtr make_precompiled_normalizer(PrecompiledCharsmap map) {
  return std::make_shared<PrecompiledNormalizer>(std::move(map));
}
NormalizerPtr make_replace_normalizer(const std::string& pattern, bool literal, const std::string& content,
                                      const std::string& where) {
  return std::make_shared<ReplaceNormalizer>(pattern, literal, content, where);
}
NormalizerPtr make_sequence_normalizer(std::vector<NormalizerPtr> parts) {
  return std::make_shared<SequenceNormalizer>(std::move(parts));
}

NormalizerPtr normalizer_from_json(const json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  ADALORA_CHECK(j.is_object() && j.contains("type"), where, ": normalizer: expected an object with \"type\", got ",
                j.dump().substr(0, 100));
  const std::string type = j.at("type").get<std::string>();
  if (type == "BertNormalizer") {
    const bool lowercase = get_bool(j, "lowercase", true);
    int strip = -1;
    if (j.contains("strip_accents") && !j.at("strip_accents").is_null()) strip = j.at("strip_accents").get<bool>();
    return make_bert_normalizer(get_bool(j, "clean_text", true), get_bool(j, "handle_chinese_chars", true), strip,
                                lowercase);
  }
  if (type == "NFC") return std::make_shared<FormNormalizer>(NormalizationForm::NFC);
  if (type == "NFD") return std::make_shared<FormNormalizer>(NormalizationForm::NFD);
  if (type == "NFKC") return std::make_shared<FormNormalizer>(NormalizationForm::NFKC);
  if (type == "NFKD") return std::make_shared<FormNormalizer>(NormalizationForm::NFKD);
  if (type == "Lowercase") return std::make_shared<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_shared<StripAccentsNormalizer>();
  if (type == "Strip") return std::make_shared<StripNormalizer>(get_bool(j, "strip_left", true), get_bool(j, "strip_right", true));
  if (type == "Prepend") return std::make_shared<PrependNormalizer>(utf8_to_u32(j.at("prepend").get<std::string>()));
  if (type == "Replace") {
    const json& p = j.at("pattern");
    const bool literal = p.contains("String");
    const std::string pattern = literal ? p.at("String").get<std::string>() : p.at("Regex").get<std::string>();
    return make_replace_normalizer(pattern, literal, j.at("content").get<std::string>(), where + ": normalizer Replace");
  }
  if (type == "Precompiled") {
    const std::string blob = base64_decode(j.at("precompiled_charsmap").get<std::string>(), where + ": precompiled_charsmap");
    if (blob.empty()) return std::make_shared<SequenceNormalizer>(std::vector<NormalizerPtr>{});
    return make_precompiled_normalizer(PrecompiledCharsmap::parse(blob, where));
  }
  if (type == "Sequence") {
    std::vector<NormalizerPtr> parts;
    for (const auto& p : j.at("normalizers")) {
      if (auto n = normalizer_from_json(p, where)) parts.push_back(std::move(n));
    }
    return make_sequence_normalizer(std::move(parts));
  }
  throw Error(str_cat(where, ": normalizer: type \"", type,
                      "\" is not supported (supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, Precompiled, "
                      "Prepend, Replace, Sequence, Strip, StripAccents)"));
}

}  // namespace adalora::tokenizers
