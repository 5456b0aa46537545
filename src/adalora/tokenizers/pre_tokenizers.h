// Pre-tokenisers: split normalised text into words before the model sees them (HF tokenizers v0.19
// src/pre_tokenizers/). Each replaces every piece by its sub-pieces; alignment to the original text
// travels with each piece.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adalora/tokenizers/normalized_string.h"

namespace adalora::tokenizers {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  /// Replaces each element of `pieces` by its splits (empty splits are dropped).
  virtual void pre_tokenize(std::vector<NormalizedString>& pieces) const = 0;
};
using PreTokenizerPtr = std::shared_ptr<const PreTokenizer>;

/// From a tokenizer.json object; unknown `type` → adalora::Error naming it and `where`.
PreTokenizerPtr pre_tokenizer_from_json(const nlohmann::json& j, const std::string& where);

/// BERT's BasicTokenizer splitting: whitespace removed, each punctuation character isolated.
PreTokenizerPtr make_bert_pre_tokenizer();
/// GPT-2's byte-level pre-tokeniser (regex split, then bytes mapped to printable characters).
PreTokenizerPtr make_byte_level_pre_tokenizer(bool add_prefix_space, bool use_regex);
/// SentencePiece's Metaspace: ' ' → replacement, prefix per `prepend_scheme` ("always", "first", "never").
PreTokenizerPtr make_metaspace_pre_tokenizer(char32_t replacement, const std::string& prepend_scheme, bool split);

/// GPT-2's pre-tokenisation regex
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// as a hand-written scanner: the spans of `text` it matches, in order, covering all of it.
std::vector<Offsets> gpt2_split(std::u32string_view text);

/// The printable character GPT-2 uses for byte b (bytes_to_unicode()).
char32_t byte_to_char(unsigned char b);
/// The inverse of byte_to_char; -1 for characters that are not a byte's.
int char_to_byte(char32_t c);

}  // namespace adalora::tokenizers
