// WordPiece (BERT): greedy longest-match-first over the vocabulary, continuation pieces prefixed
// with "##"; a word longer than max_input_chars_per_word or with no full cover becomes [UNK].
// Mirrors HF tokenizers v0.19 src/models/wordpiece/mod.rs.
#pragma once

#include "adalora/tokenizers/model.h"

namespace adalora::tokenizers {

struct WordPieceOptions {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
};

class WordPiece : public Model {
 public:
  WordPiece(Vocab vocab, WordPieceOptions options);
  std::vector<Token> tokenize(std::u32string_view word) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  Vocab vocab_;
  WordPieceOptions options_;
  int64_t unk_id_ = 0;
};

}  // namespace adalora::tokenizers
