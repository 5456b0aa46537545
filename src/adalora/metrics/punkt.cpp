// NLTK's PunktSentenceTokenizer.tokenize, step by step (see punkt.h). Names follow punkt.py so the
// two can be read side by side; indices are code points, as Python's str indices are.
#include "adalora/metrics/punkt.h"

#include <unicode/uchar.h>

#include <optional>

#include "adalora/metrics/python_text.h"

namespace adalora::metrics {
namespace {

using U32 = std::u32string;
using U32View = std::u32string_view;

// punkt.py's _ORTHO_* flags of the ortho_context table.
constexpr int kOrthoBegUc = 1 << 1, kOrthoMidUc = 1 << 2, kOrthoUnkUc = 1 << 3;
constexpr int kOrthoBegLc = 1 << 4, kOrthoMidLc = 1 << 5, kOrthoUnkLc = 1 << 6;
constexpr int kOrthoUc = kOrthoBegUc | kOrthoMidUc | kOrthoUnkUc;
constexpr int kOrthoLc = kOrthoBegLc | kOrthoMidLc | kOrthoUnkLc;

bool punkt_space(char32_t c) { return python_is_space(c); }  // re's \s on str
bool punkt_decimal(char32_t c) {
  return u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}  // \d
bool punkt_letter(char32_t c) { return python_is_word_char(c) && !punkt_decimal(c); }  // [^\W\d]
bool punkt_contains(U32View set, char32_t c) { return set.find(c) != U32View::npos; }
bool sent_end_char(char32_t c) { return c == U'.' || c == U'?' || c == U'!'; }
// _re_non_word_chars: )";}]*:@'({[ and the sentence ends other than '.'.
bool non_word_char(char32_t c) { return punkt_contains(U")\";}]*:@'({[?!", c); }
// _re_word_start: what a word token may not start with.
bool word_start_char(char32_t c) { return !punkt_contains(U"(\"`{[:;&#*@)}]-,", c); }

// Python's slice text[start:stop] (clamped; empty when start >= stop).
U32View py_slice(U32View text, size_t start, size_t stop) {
  stop = std::min(stop, text.size());
  return start >= stop ? U32View() : text.substr(start, stop - start);
}

size_t rstripped_size(U32View text) {
  size_t n = text.size();
  while (n > 0 && punkt_space(text[n - 1])) --n;
  return n;
}

U32View py_strip(U32View text) {
  text = text.substr(0, rstripped_size(text));
  size_t i = 0;
  while (i < text.size() && punkt_space(text[i])) ++i;
  return text.substr(i);
}

// _re_multi_char_punct at i, `(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)`: the match length, 0 for none.
size_t multi_char_punct_at(U32View s, size_t i) {
  const auto run_of = [&](char32_t c) {
    size_t j = i;
    while (j < s.size() && s[j] == c) ++j;
    return j - i;
  };
  if (i + 1 < s.size() && s[i] == U'-' && s[i + 1] == U'-') return run_of(U'-');
  if (i + 1 < s.size() && s[i] == U'.' && s[i + 1] == U'.') return run_of(U'.');
  size_t pairs = 0, j = i;  // greedy (\.\s)*, then backtrack one pair if no '.' follows
  while (j + 1 < s.size() && s[j] == U'.' && punkt_space(s[j + 1])) ++pairs, j += 2;
  if (pairs >= 2 && j < s.size() && s[j] == U'.') return 2 * pairs + 1;
  if (pairs >= 3) return 2 * (pairs - 1) + 1;
  return 0;
}

// The lookahead that ends a word token at e: whitespace, end, non-word punctuation, multi-character
// punctuation, or a comma followed by one of those.
bool word_ends_at(U32View s, size_t e) {
  if (e >= s.size()) return true;
  const char32_t c = s[e];
  if (punkt_space(c) || non_word_char(c) || multi_char_punct_at(s, e) > 0) return true;
  if (c != U',') return false;
  return e + 1 == s.size() || punkt_space(s[e + 1]) || non_word_char(s[e + 1]) ||
         multi_char_punct_at(s, e + 1) > 0;
}

// PunktLanguageVars.word_tokenize: findall of multi-character punctuation | a word (lazy, up to
// the end lookahead) | any other single non-space character.
std::vector<U32> punkt_word_tokenize(U32View s) {
  std::vector<U32> out;
  size_t i = 0;
  while (i < s.size()) {
    if (punkt_space(s[i])) {
      ++i;
      continue;
    }
    size_t n = multi_char_punct_at(s, i);
    if (n == 0 && word_start_char(s[i])) {
      size_t e = i + 1;
      while (!word_ends_at(s, e)) ++e;
      n = e - i;
    }
    if (n == 0) n = 1;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// PunktToken._RE_NUMERIC, `^-?[\.,]?\d[\d,\.-]*\.?$`, on the whole (lower-cased) token.
bool numeric_token(U32View s) {
  size_t i = 0;
  if (i < s.size() && s[i] == U'-') ++i;
  if (i < s.size() && (s[i] == U'.' || s[i] == U',')) ++i;
  if (i >= s.size() || !punkt_decimal(s[i])) return false;
  for (++i; i < s.size(); ++i) {
    if (!punkt_decimal(s[i]) && s[i] != U',' && s[i] != U'.' && s[i] != U'-') return false;
  }
  return true;
}

struct PunktToken {
  U32 tok;
  U32 type;  // lower case; numbers → "##number##"
  bool period_final = false, sentbreak = false, abbr = false, ellipsis = false;

  explicit PunktToken(U32 text) : tok(std::move(text)) {
    type = python_lower(tok);
    if (numeric_token(type)) type = U"##number##";
    period_final = tok.back() == U'.';
  }
  U32 type_no_period() const {
    return type.size() > 1 && type.back() == U'.' ? type.substr(0, type.size() - 1) : type;
  }
  U32 type_no_sentperiod() const { return sentbreak ? type_no_period() : type; }
  bool first_upper() const {
    return u_hasBinaryProperty(static_cast<UChar32>(tok[0]), UCHAR_UPPERCASE);
  }
  bool first_lower() const {
    return u_hasBinaryProperty(static_cast<UChar32>(tok[0]), UCHAR_LOWERCASE);
  }
  bool is_ellipsis() const { return tok.size() >= 2 && tok.find_first_not_of(U'.') == U32::npos; }
  bool is_initial() const { return tok.size() == 2 && punkt_letter(tok[0]) && tok[1] == U'.'; }
};

// _tokenize_words: the tokens of every non-blank line.
std::vector<PunktToken> punkt_tokenize_words(U32View text) {
  std::vector<PunktToken> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(U'\n', start), text.size());
    const U32View line = text.substr(start, end - start);
    if (!py_strip(line).empty()) {
      for (auto& tok : punkt_word_tokenize(line)) out.emplace_back(std::move(tok));
    }
    start = end + 1;
  }
  return out;
}

class PunktAnnotator {
 public:
  explicit PunktAnnotator(const PunktParameters& params) : params_(params) {}

  // _first_pass_annotation.
  void first_pass(PunktToken& t) const {
    const U32& tok = t.tok;
    if (tok.size() == 1 && sent_end_char(tok[0])) {
      t.sentbreak = true;
    } else if (t.is_ellipsis()) {
      t.ellipsis = true;
    } else if (t.period_final && !(tok.size() >= 2 && tok[tok.size() - 2] == U'.')) {
      const U32 stem = python_lower(U32View(tok).substr(0, tok.size() - 1));
      const size_t dash = stem.rfind(U'-');
      const U32 last_part = dash == U32::npos ? stem : stem.substr(dash + 1);
      if (params_.abbrev_types.count(stem) || params_.abbrev_types.count(last_part)) {
        t.abbr = true;
      } else {
        t.sentbreak = true;
      }
    }
  }

  // _second_pass_annotation of t1 given the next token t2 (which has had the first pass only).
  void second_pass(PunktToken& t1, const PunktToken& t2) const {
    if (!t1.period_final) return;
    const U32 typ = t1.type_no_period();
    const U32 next_typ = t2.type_no_sentperiod();
    const bool tok_is_initial = t1.is_initial();
    if (params_.collocations.count({typ, next_typ})) {  // 4.1.2 collocation heuristic
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if ((t1.abbr || t1.ellipsis) &&
        !tok_is_initial) {  // 4.2 abbreviations that also end a sentence
      if (ortho_heuristic(t2) == Starter::kYes) {
        t1.sentbreak = true;
        return;
      }
      if (t2.first_upper() && params_.sent_starters.count(next_typ)) {
        t1.sentbreak = true;
        return;
      }
    }
    if (tok_is_initial || typ == U"##number##") {  // 4.3 initials and ordinals
      const Starter starter = ortho_heuristic(t2);
      if (starter == Starter::kNo) {
        t1.sentbreak = false;
        t1.abbr = true;
        return;
      }
      if (starter == Starter::kUnknown && tok_is_initial && t2.first_upper() &&
          !(ortho_context(next_typ) & kOrthoLc)) {
        t1.sentbreak = false;
        t1.abbr = true;
      }
    }
  }

  // text_contains_sentbreak: a sentence break on any token but the last.
  bool contains_sentbreak(U32View text) const {
    std::vector<PunktToken> toks = punkt_tokenize_words(text);
    for (auto& t : toks) first_pass(t);
    bool found = false;
    for (size_t k = 0; k < toks.size(); ++k) {
      if (k + 1 < toks.size()) second_pass(toks[k], toks[k + 1]);
      if (found) return true;
      if (toks[k].sentbreak) found = true;
    }
    return false;
  }

 private:
  enum class Starter { kNo, kYes, kUnknown };

  int ortho_context(const U32& type) const {
    const auto it = params_.ortho_context.find(type);
    return it == params_.ortho_context.end() ? 0 : it->second;
  }

  // _ortho_heuristic: does the token start a sentence?
  Starter ortho_heuristic(const PunktToken& t) const {
    if (t.tok.size() == 1 && punkt_contains(U";:,.!?", t.tok[0])) return Starter::kNo;
    const int context = ortho_context(t.type_no_sentperiod());
    if (t.first_upper() && (context & kOrthoLc) && !(context & kOrthoMidUc)) return Starter::kYes;
    if (t.first_lower() && ((context & kOrthoUc) || !(context & kOrthoBegLc))) return Starter::kNo;
    return Starter::kUnknown;
  }

  const PunktParameters& params_;
};

// One match of period_context_re: a sentence-end character at `start` and what follows it.
struct PeriodContext {
  size_t start = 0;                // the '.', '?' or '!'
  size_t after_end = 0;            // end of group after_tok
  std::optional<size_t> next_tok;  // start of group next_tok
};

std::vector<PeriodContext> period_contexts(U32View text) {
  std::vector<PeriodContext> out;
  for (size_t j = 0; j < text.size(); ++j) {
    if (!sent_end_char(text[j])) continue;
    if (j + 1 < text.size() && non_word_char(text[j + 1])) {
      out.push_back({j, j + 2, std::nullopt});
      continue;
    }
    size_t k = j + 1;
    while (k < text.size() && punkt_space(text[k])) ++k;
    if (k == j + 1 || k == text.size()) continue;
    size_t e = k;
    while (e < text.size() && !punkt_space(text[e])) ++e;
    out.push_back({j, e, k});
  }
  return out;
}

// _get_last_whitespace_index: string.whitespace is ASCII only; 0 when there is none.
size_t last_ascii_whitespace_index(U32View text) {
  for (size_t i = text.size(); i-- > 0;) {
    if (punkt_contains(U" \t\n\r\x0b\x0c", text[i])) return i;
  }
  return 0;
}

struct PySlice {
  size_t start = 0, stop = 0;
};

// _slices_from_text with _match_potential_end_contexts inlined.
std::vector<PySlice> slices_from_text(U32View text, const PunktAnnotator& annotator) {
  std::vector<PySlice> slices;
  size_t last_break = 0;
  const auto consider = [&](const PeriodContext& m, const PySlice& word) {
    U32 context(py_slice(text, word.start, word.stop));
    context += text.substr(m.start, m.after_end - m.start);
    if (!annotator.contains_sentbreak(context)) return;
    slices.push_back({last_break, m.start + 1});
    last_break = m.next_tok ? *m.next_tok : m.start + 1;
  };
  PySlice previous_slice;
  std::optional<PeriodContext> previous_match;
  for (const PeriodContext& m : period_contexts(text)) {
    const size_t index = last_ascii_whitespace_index(py_slice(text, previous_slice.stop, m.start));
    // As punkt.py: a whitespace at index 0 counts as none.
    const PySlice word{index ? index + previous_slice.stop + 1 : previous_slice.start, m.start};
    if (previous_match && previous_slice.stop <= word.start)
      consider(*previous_match, previous_slice);
    previous_match = m;
    previous_slice = word;
  }
  if (previous_match) consider(*previous_match, previous_slice);
  slices.push_back({last_break, rstripped_size(text)});
  return slices;
}

// re_boundary_realignment.match(text), `["\')\]}]+?(?:\s+|(?=--)|$)` (MULTILINE): the length of
// the closing marks and the end of the match.
std::optional<std::pair<size_t, size_t>> boundary_realignment(U32View text) {
  for (size_t k = 1; k <= text.size(); ++k) {
    if (!punkt_contains(U"\"')]}", text[k - 1])) return std::nullopt;
    if (k < text.size() && punkt_space(text[k])) {
      size_t e = k;
      while (e < text.size() && punkt_space(text[e])) ++e;
      return std::make_pair(k, e);
    }
    if (k + 1 < text.size() && text[k] == U'-' && text[k + 1] == U'-') return std::make_pair(k, k);
    if (k == text.size()) return std::make_pair(k, k);
  }
  return std::nullopt;
}

// _realign_boundaries.
std::vector<PySlice> realign_boundaries(U32View text, const std::vector<PySlice>& slices) {
  std::vector<PySlice> out;
  size_t realign = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    const PySlice sentence1{slices[i].start + realign, slices[i].stop};
    if (i + 1 == slices.size()) {
      if (!py_slice(text, sentence1.start, sentence1.stop).empty()) out.push_back(sentence1);
      continue;
    }
    const PySlice& sentence2 = slices[i + 1];
    if (const auto m = boundary_realignment(py_slice(text, sentence2.start, sentence2.stop))) {
      out.push_back({sentence1.start, sentence2.start + m->first});
      realign = m->second;
    } else {
      realign = 0;
      if (!py_slice(text, sentence1.start, sentence1.stop).empty()) out.push_back(sentence1);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> punkt_sentences(std::string_view text, const PunktParameters& params) {
  const U32 code_points = utf8_to_code_points(text);
  const PunktAnnotator annotator(params);
  std::vector<std::string> out;
  for (const PySlice& s :
       realign_boundaries(code_points, slices_from_text(code_points, annotator))) {
    out.push_back(code_points_to_utf8(py_slice(code_points, s.start, s.stop)));
  }
  return out;
}

std::string split_sentences_for_rouge_lsum(std::string_view text) {
  const U32 code_points = utf8_to_code_points(text);
  const std::string stripped = code_points_to_utf8(py_strip(code_points));
  std::string out;
  for (const std::string& sentence : punkt_sentences(stripped)) {
    if (!out.empty()) out += '\n';
    out += sentence;
  }
  return out;
}

}  // namespace adalora::metrics
