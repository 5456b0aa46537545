// The model stage of the pipeline: one pre-tokenised word → tokens (HF tokenizers' `Model` trait).
// Implementations: WordPiece (wordpiece.h), BPE (bpe.h), Unigram (unigram.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "adalora/tokenizers/normalized_string.h"

namespace adalora::tokenizers {

/// A token of one word; `offsets` are code-point indices into that word.
struct Token {
  int64_t id = 0;
  std::string value;
  Offsets offsets;
};

/// The largest token id a vocabulary may use. Ids index a dense table, so a file's id bounds what it
/// makes us allocate; real vocabularies have at most ~256k tokens.
inline constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

/// token ↔ id, dense ids 0..size-1 (gaps allowed; a gap has an empty string).
struct Vocab {
  std::unordered_map<std::string, int64_t> ids;
  std::vector<std::string> tokens;

  /// `id` in [0, kMaxTokenId], else adalora::Error.
  void add(const std::string& token, int64_t id);
  std::optional<int64_t> find(const std::string& token) const {
    auto it = ids.find(token);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
};

/// A `{"token": id}` object (tokenizer.json's model.vocab, vocab.json); each id an integer in
/// [0, kMaxTokenId], else adalora::Error naming `where` and the token.
Vocab vocab_from_json(const nlohmann::json& object, const std::string& where);

class Model {
 public:
  virtual ~Model() = default;
  /// Tokenises one word (already normalised and pre-tokenised).
  virtual std::vector<Token> tokenize(std::u32string_view word) const = 0;
  virtual const Vocab& vocab() const = 0;
};
using ModelPtr = std::shared_ptr<const Model>;

}  // namespace adalora::tokenizers
