// ICU regex wrapper with UTF-16 → code-point index mapping (see regex.h).
#include "adalora/tokenizers/regex.h"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include "adalora/core/error.h"

namespace adalora::tokenizers {

Regex::Regex(const std::string& pattern, bool literal, const std::string& where) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  pattern_.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern),
                                            literal ? UREGEX_LITERAL : 0, parse_error, status));
  ADALORA_CHECK(U_SUCCESS(status) && pattern_ != nullptr, where, ": pattern: expected a regular expression, got \"",
                pattern, "\" (", u_errorName(status), " at offset ", parse_error.offset, ")");
}

Regex::~Regex() = default;

std::vector<Offsets> Regex::find_all(std::u32string_view text) const {
  std::vector<Offsets> out;
  if (text.empty()) return out;
  icu::UnicodeString input = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                                           static_cast<int32_t>(text.size()));
  // to_cp[k]: code-point index of UTF-16 unit k (plus one entry for the end).
  std::vector<size_t> to_cp(static_cast<size_t>(input.length()) + 1);
  size_t cp = 0;
  for (int32_t k = 0; k < input.length(); ++k) {
    to_cp[static_cast<size_t>(k)] = cp;
    if (!U16_IS_LEAD(input.charAt(k)) || k + 1 >= input.length() || !U16_IS_TRAIL(input.charAt(k + 1))) ++cp;
    else to_cp[static_cast<size_t>(++k)] = cp++;
  }
  to_cp.back() = cp;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> matcher(pattern_->matcher(input, status));
  ADALORA_CHECK(U_SUCCESS(status), "regex: cannot create a matcher: ", u_errorName(status));
  while (matcher->find(status) && U_SUCCESS(status)) {
    const int32_t b = matcher->start(status);
    const int32_t e = matcher->end(status);
    if (e > b) out.emplace_back(to_cp[static_cast<size_t>(b)], to_cp[static_cast<size_t>(e)]);
  }
  return out;
}

}  // namespace adalora::tokenizers
