// Byte-pair encoding (GPT-2, RoBERTa, BART; LLaMA with byte_fallback): a word starts as its characters
// and the lowest-ranked adjacent merge is applied until none applies (leftmost first among equal
// ranks). Mirrors HF tokenizers v0.19 src/models/bpe/{model,word}.rs, including its word cache.
#pragma once

#include <mutex>
#include <utility>

#include "adalora/tokenizers/model.h"

namespace adalora::tokenizers {

struct BpeOptions {
  std::optional<std::string> unk_token;    ///< none: unknown characters are dropped
  std::string continuing_subword_prefix;   ///< e.g. "##" for WordPiece-style BPE; usually empty
  std::string end_of_word_suffix;          ///< e.g. "</w>"; usually empty
  bool fuse_unk = false;                   ///< consecutive unknowns become one unk token
  bool byte_fallback = false;              ///< unknown characters → <0xXX> byte tokens
  bool ignore_merges = false;              ///< a word that is itself in the vocabulary is one token
};

class Bpe : public Model {
 public:
  /// `merges` in priority order (rank = index); each pair must concatenate to a vocabulary token.
  Bpe(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options);
  std::vector<Token> tokenize(std::u32string_view word) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  std::vector<Token> tokenize_uncached(std::u32string_view word) const;

  Vocab vocab_;
  BpeOptions options_;
  // (left id << 32 | right id) → (rank, merged id)
  std::unordered_map<uint64_t, std::pair<int32_t, int64_t>> merges_;
  static constexpr size_t kCacheShards = 16;
  static constexpr size_t kCacheCapacityPerShard = 1024;
  struct CacheShard {
    std::mutex mutex;
    std::unordered_map<std::u32string, std::vector<Token>> entries;
  };
  mutable std::unique_ptr<CacheShard[]> cache_;
};

}  // namespace adalora::tokenizers
