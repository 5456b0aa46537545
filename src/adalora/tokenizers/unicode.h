// Unicode helpers for the tokenizers: UTF-8 <-> code points, character classes and normalisation
// forms, all answered by ICU (no hand-made tables). The predicates mirror the Rust functions HF
// tokenizers v0.19 calls (char::is_whitespace, BERT's is_control / is_punctuation, ...), so that
// "whitespace" or "punctuation" means here exactly what it means there.
#pragma once

#include <string>
#include <string_view>

namespace adalora::tokenizers {

/// Decodes UTF-8; an invalid byte becomes U+FFFD (as Python's errors="replace" does per byte).
std::u32string utf8_to_u32(std::string_view text);
/// Encodes code points as UTF-8.
std::string u32_to_utf8(std::u32string_view text);
/// Appends one code point as UTF-8.
void append_utf8(std::string& out, char32_t c);
/// Number of code points in a UTF-8 string (counts lead bytes).
size_t utf8_length(std::string_view text);

/// Rust's char::is_whitespace: the Unicode White_Space property.
bool is_whitespace(char32_t c);
/// BERT's whitespace: '\t', '\n', '\r' or White_Space.
bool is_bert_whitespace(char32_t c);
/// BERT's control: general category Cc, Cf, Cn or Co, except '\t', '\n', '\r'.
bool is_bert_control(char32_t c);
/// BERT's punctuation: ASCII symbols and punctuation, or general category P*.
bool is_bert_punctuation(char32_t c);
/// BERT's "Chinese character": the CJK Unified Ideographs blocks BERT lists.
bool is_cjk(char32_t c);
/// General category L* (\p{L}).
bool is_letter(char32_t c);
/// General category N* (\p{N}, Rust's char::is_numeric).
bool is_numeric(char32_t c);
/// General category Mn (nonspacing mark), what StripAccents removes.
bool is_nonspacing_mark(char32_t c);
/// Regex \w: Alphabetic, M*, Nd, Pc or Join_Control.
bool is_word_char(char32_t c);

/// Full lower-case mapping of one code point (may be several code points, e.g. U+0130).
std::u32string to_lower(char32_t c);

enum class NormalizationForm { NFC, NFD, NFKC, NFKD };
/// Normalises `text` in the given form.
std::u32string normalize(std::u32string_view text, NormalizationForm form);
/// True when a normalisation segment may start at `c` (ICU's hasBoundaryBefore).
bool has_boundary_before(char32_t c, NormalizationForm form);

}  // namespace adalora::tokenizers
