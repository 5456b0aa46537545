// Regular expressions over code points for the Split pre-tokenizer and the Replace normaliser of
// tokenizer.json, backed by ICU's RegexPattern (HF uses Oniguruma; both speak \p{L}, lookahead and
// Unicode \s). Match positions are code-point indices.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adalora/tokenizers/normalized_string.h"

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class RegexPattern;
U_NAMESPACE_END

namespace adalora::tokenizers {

class Regex {
 public:
  /// Compiles `pattern` (a literal string when `literal`); throws adalora::Error naming `where`.
  Regex(const std::string& pattern, bool literal, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  /// Non-overlapping, non-empty matches, left to right, as code-point spans.
  std::vector<Offsets> find_all(std::u32string_view text) const;

 private:
  std::unique_ptr<icu::RegexPattern> pattern_;
};

}  // namespace adalora::tokenizers
