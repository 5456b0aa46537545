// The result of encoding one text or one pair: what a model consumes (ids, type_ids, attention_mask)
// and what a task needs to map predictions back to text (offsets, special_tokens_mask,
// sequence_ids). Mirrors HF tokenizers' Encoding (v0.19 src/tokenizer/encoding.rs), with its
// truncation windows (`overflowing`) and its merge rules for pairs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace adalora::tokenizers {

struct Encoding {
  std::vector<int64_t> ids;                          ///< token ids
  std::vector<int64_t> type_ids;                     ///< segment ids (0 for A, 1 for B under BERT's template)
  std::vector<std::string> tokens;                   ///< token strings as in the vocabulary
  /// [start, end) of each token in the original text, in code points (Python str indices); (0, 0) for
  /// special tokens. For a pair, offsets of B's tokens index into B.
  std::vector<std::pair<size_t, size_t>> offsets;
  std::vector<int64_t> attention_mask;               ///< 1 for every token (no padding here)
  std::vector<int64_t> special_tokens_mask;          ///< 1 for tokens added by the post-processor
  std::vector<int32_t> sequence_ids;                 ///< 0 for A's tokens, 1 for B's, -1 for special tokens
  /// Further windows when truncation with a stride cut the input (SQuAD's doc stride), each a full
  /// encoding with special tokens.
  std::vector<Encoding> overflowing;

  size_t size() const { return ids.size(); }
  /// Appends one token.
  void push(int64_t id, std::string token, std::pair<size_t, size_t> offset, int64_t type_id, bool special,
            int32_t sequence_id);
  /// Keeps the first `max_length` tokens; the rest become overflowing windows of `max_length` tokens
  /// that overlap by `stride` (HF Encoding::truncate, direction right). Requires stride < max_length
  /// unless max_length is 0.
  void truncate(size_t max_length, size_t stride);
  /// Appends `other` (HF Encoding::merge_with with growing_offsets = false), combining windows.
  void merge_with(const Encoding& other);
};

}  // namespace adalora::tokenizers
