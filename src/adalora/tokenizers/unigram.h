// Unigram language model (SentencePiece; XLM-R, T5, DeBERTa-v3, ALBERT): the segmentation with the
// highest sum of piece log-probabilities, found by Viterbi over all vocabulary pieces that start at
// each character; characters no piece covers score min_score - 10 and consecutive ones fuse into one
// unknown token. Mirrors HF tokenizers v0.19 src/models/unigram/model.rs (encode_optimized),
// including its tie-breaking (first candidate wins).
#pragma once

#include "adalora/tokenizers/model.h"

namespace adalora::tokenizers {

class Unigram : public Model {
 public:
  /// `pieces[id] = {piece, score}`.
  Unigram(const std::vector<std::pair<std::string, double>>& pieces, std::optional<int64_t> unk_id, bool byte_fallback);
  std::vector<Token> tokenize(std::u32string_view word) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  Vocab vocab_;
  std::vector<double> scores_;
  std::optional<int64_t> unk_id_;
  bool byte_fallback_;
  double min_score_ = 0;
  // All pieces sorted bytewise, for prefix search by narrowing a range one byte at a time.
  std::vector<std::pair<std::string, int64_t>> sorted_;
};

}  // namespace adalora::tokenizers
