// CPython 3.11 string semantics through ICU (see python_text.h).
#include "adalora/metrics/python_text.h"

#include <unicode/uchar.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace adalora::metrics {

std::u32string utf8_to_code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

std::string code_points_to_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    uint8_t buffer[U8_MAX_LENGTH];
    int32_t n = 0;
    UBool error = false;
    U8_APPEND(buffer, n, U8_MAX_LENGTH, static_cast<UChar32>(c), error);
    if (error) {  // a lone surrogate or out of range: Python would refuse to encode it
      out += "\xEF\xBF\xBD";
      continue;
    }
    out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
  }
  return out;
}

std::u32string python_lower(std::u32string_view text) {
  // ICU's root-locale full mapping implements the same SpecialCasing entries and the
  // Final_Sigma context that CPython's str.lower() applies.
  icu::UnicodeString s = icu::UnicodeString::fromUTF32(
      reinterpret_cast<const UChar32*>(text.data()), static_cast<int32_t>(text.size()));
  s.toLower(icu::Locale::getRoot());
  std::u32string out(static_cast<size_t>(s.countChar32()), U'\0');
  UErrorCode status = U_ZERO_ERROR;
  s.toUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), status);
  return out;
}

bool python_is_space(char32_t c) {
  const auto cp = static_cast<UChar32>(c);
  if (u_charType(cp) == U_SPACE_SEPARATOR) return true;
  const auto bidi = u_charDirection(cp);
  return bidi == U_WHITE_SPACE_NEUTRAL || bidi == U_BLOCK_SEPARATOR || bidi == U_SEGMENT_SEPARATOR;
}

bool python_is_word_char(char32_t c) {
  const auto cp = static_cast<UChar32>(c);
  if (c == U'_') return true;
  // str.isalpha(): general category L*; isdecimal/isdigit/isnumeric: any Numeric_Type.
  if (U_GET_GC_MASK(cp) & U_GC_L_MASK) return true;
  return u_getIntPropertyValue(cp, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

}  // namespace adalora::metrics
