// SentencePiece's BPE model (LLaMA's and Mistral's tokenizer.model), id for id with SentencePiece
// itself: mirrors sentencepiece v0.1.97 src/bpe_model.cc Model::SampleEncode (without dropout) and
// the unknown handling of src/sentencepiece_processor.cc PopulateSentencePieceText.
//
// The whole normalised text is one "word" (SentencePiece does not pre-tokenise BPE input). It starts
// as its characters, a user-defined symbol being one frozen symbol that never merges. Then, as long
// as some adjacent pair concatenates to a piece of the vocabulary, the pair whose piece has the
// highest score is merged (ties: the leftmost) — a priority queue over adjacent pairs, stale entries
// skipped, so a word of n characters costs O(n log n). Merges that produce an UNUSED piece are
// undone at the end (resegmentation). A symbol that is no piece is unknown: with byte_fallback it
// becomes the <0xXX> pieces of its UTF-8 bytes, without it consecutive unknowns fuse into one <unk>.
//
// This differs from HF's BPE with merges converted from the scores (bpe.h, for tokenizer.json):
// HF ranks the (left, right) pairs, SentencePiece ranks merged pieces, so two splits of one piece
// ("ab"+"c", "a"+"bc") tie here and are ordered by rank there.
#pragma once

#include <array>
#include <string_view>
#include <unordered_map>

#include "adalora/tokenizers/model.h"
#include "adalora/tokenizers/sentencepiece_normalizer.h"
#include "adalora/tokenizers/sentencepiece_proto.h"

namespace adalora::tokenizers {

class SentencePieceBpe : public Model {
 public:
  /// Checks the pieces as SentencePiece's InitializePieces does (non-empty, unique, one UNKNOWN
  /// piece, 256 BYTE pieces exactly when byte_fallback); adalora::Error names `where` otherwise.
  SentencePieceBpe(const SpmModelProto& model, const std::string& where);
  SentencePieceBpe(const SentencePieceBpe&) = delete;  // pieces_ views into vocab_
  SentencePieceBpe& operator=(const SentencePieceBpe&) = delete;

  /// Encodes one normalised text (see sentencepiece_normalizer.h); offsets are its code points.
  std::vector<Token> tokenize(std::u32string_view normalized) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  /// SentencePiece's PieceToId: reserved (control, unknown, byte) pieces first, then the others,
  /// else the unknown id.
  int64_t piece_to_id(std::string_view piece) const;

  Vocab vocab_;
  std::vector<float> scores_;
  std::vector<int> types_;
  std::unordered_map<std::string_view, int64_t> pieces_;    // NORMAL, USER_DEFINED, UNUSED
  std::unordered_map<std::string_view, int64_t> reserved_;  // CONTROL, UNKNOWN, BYTE
  SpmSymbolMatcher matcher_;
  int64_t unk_id_ = -1;
  bool byte_fallback_ = false;
  std::array<int64_t, 256> byte_ids_{};
};

}  // namespace adalora::tokenizers
