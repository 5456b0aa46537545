// What CPython 3.11's str methods mean, for the scorers written in Python: str.lower() (full
// Unicode mapping with the final-sigma rule), str.split() whitespace, and the `\w` / `\b` of the
// `re` module on str patterns. The official SQuAD scripts normalise answers with exactly these, so
// their scores depend on them (e.g. `İ` lowercases to two code points, NBSP splits words).
// Answered by ICU; no tables of our own.
#pragma once

#include <string>
#include <string_view>

namespace adalora::metrics {

/// UTF-8 → code points; an invalid byte becomes U+FFFD.
std::u32string utf8_to_code_points(std::string_view text);
/// Code points → UTF-8.
std::string code_points_to_utf8(std::u32string_view text);

/// Python's `str.lower()`: full lower-case mappings (U+0130 → "i̇") and final sigma.
std::u32string python_lower(std::u32string_view text);

/// Python's `str.isspace()` for one character (bidi class WS, B, S or category Zs), which is what
/// `str.split()` splits on: includes NBSP, U+3000 and U+001C..U+001F.
bool python_is_space(char32_t c);

/// A word character of Python's `re` on str patterns: `str.isalnum()` or '_'.
bool python_is_word_char(char32_t c);

}  // namespace adalora::metrics
