// Added tokens (tokenizer.json "added_tokens"): strings matched verbatim in the text before the model
// runs, special ones ([CLS], <mask>, <|endoftext|>) included. Tokens with normalized = false are
// found in the original text, the others in the normalised text; matching is leftmost-longest with
// HF's single_word / lstrip / rstrip rules (tokenizers v0.19 src/tokenizer/added_vocabulary.rs).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "adalora/tokenizers/normalized_string.h"

namespace adalora::tokenizers {

struct AddedToken {
  int64_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool special = false;
};

/// A piece of the input: either text still to tokenise or one matched added token.
struct AddedSplit {
  NormalizedString text;
  const AddedToken* token = nullptr;
};

class AddedVocabulary {
 public:
  void add(AddedToken token);
  const std::vector<AddedToken>& tokens() const { return tokens_; }
  const AddedToken* find(const std::string& content) const;
  const AddedToken* find(int64_t id) const;
  /// Splits `s` around the added tokens whose `normalized` flag equals `normalized`.
  std::vector<AddedSplit> split(const NormalizedString& s, bool normalized) const;

 private:
  std::vector<AddedToken> tokens_;
  std::unordered_map<std::string, size_t> by_content_;
  std::unordered_map<int64_t, size_t> by_id_;
  // first code point → indices of tokens starting with it, longest first; per `normalized` flag.
  std::unordered_map<char32_t, std::vector<size_t>> by_first_[2];
  std::vector<std::u32string> content32_;
};

}  // namespace adalora::tokenizers
