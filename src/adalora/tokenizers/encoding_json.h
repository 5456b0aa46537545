// One line of `adalora tokenize`: an input line (a text, or a pair as two tab-separated fields)
// encoded and written as one JSON object {"ids", "tokens", "offsets"[, "type_ids"]}. In the library
// so that the format is unit-tested; the CLI only loops over stdin.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "adalora/tokenizers/encoding.h"
#include "adalora/tokenizers/tokenizer.h"

namespace adalora::tokenizers {

struct TokenizeLineOptions {
  bool pair = false;  ///< the line holds two tab-separated texts (A, B)
  bool add_special_tokens =
      false;  ///< apply the post-processor's template ([CLS] … [SEP], <s> … </s>)
};

/// {"ids": [...], "tokens": [...], "offsets": [[start, end], ...]} plus "type_ids" when `pair`.
/// Offsets are code points of the text (for B's tokens: of B).
nlohmann::json encoding_to_json(const Encoding& e, bool pair);

/// Encodes one input line (without its line terminator; a trailing '\r' is dropped) and returns the
/// JSON object as one line of text. Bad input → adalora::Error naming `where` (e.g. "stdin:3"):
/// invalid UTF-8, or with `pair` anything but exactly two tab-separated fields.
std::string tokenize_line(const Tokenizer& tokenizer, std::string_view line,
                          const TokenizeLineOptions& options, const std::string& where);

}  // namespace adalora::tokenizers
