// A HuggingFace tokenizer: normaliser → added tokens → pre-tokeniser → model → truncation →
// post-processor, and the decoder back to text. Loaded from tokenizer.json (HF tokenizers' format)
// or from a model folder's legacy files (legacy.h). Mirrors HF tokenizers v0.19
// src/tokenizer/mod.rs (encode_single_sequence, encode_post_process, truncate_encodings).
//
// Offsets are code points (Python str indices) of the text passed in; for a pair, B's offsets index
// into B. Library code does not include torch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adalora/tokenizers/added_vocabulary.h"
#include "adalora/tokenizers/decoders.h"
#include "adalora/tokenizers/encoding.h"
#include "adalora/tokenizers/model.h"
#include "adalora/tokenizers/normalizers.h"
#include "adalora/tokenizers/post_processors.h"
#include "adalora/tokenizers/pre_tokenizers.h"

namespace adalora::tokenizers {

/// HF's truncation strategies (string forms equal HF's).
enum class TruncationStrategy { LongestFirst, OnlyFirst, OnlySecond };
/// "longest_first" | "only_first" | "only_second"; anything else → adalora::Error.
TruncationStrategy truncation_strategy_from_string(const std::string& s);

struct TruncationOptions {
  /// Total length including the special tokens the post-processor adds.
  size_t max_length = 512;
  TruncationStrategy strategy = TruncationStrategy::LongestFirst;
  /// Tokens shared by consecutive overflowing windows (SQuAD's doc_stride is max_length-related:
  /// HF's `stride`); 0 = no overlap. Must be below the length left for the truncated sequence.
  size_t stride = 0;
};

/// The pipeline's parts; any may be null except `model`.
struct TokenizerParts {
  NormalizerPtr normalizer;
  PreTokenizerPtr pre_tokenizer;
  ModelPtr model;
  PostProcessorPtr post_processor;
  DecoderPtr decoder;
  AddedVocabulary added;
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerParts parts);

  /// Loads a tokenizer.json; errors name the file and the field or component type.
  static Tokenizer from_file(const std::string& path);
  /// Loads a model folder: tokenizer.json if present, else legacy files (vocab.txt; vocab.json +
  /// merges.txt; *.model via SentencePiece) — see legacy.h. A path to a file is loaded as that file.
  static Tokenizer from_dir(const std::string& path);

  /// Encodes one text. With `add_special_tokens`, the post-processor's template is applied.
  Encoding encode(std::string_view text, bool add_special_tokens = true,
                  const std::optional<TruncationOptions>& truncation = std::nullopt) const;
  /// Encodes a pair (A, B), e.g. (question, context) for SQuAD or (premise, hypothesis) for GLUE.
  Encoding encode_pair(std::string_view a, std::string_view b, bool add_special_tokens = true,
                       const std::optional<TruncationOptions>& truncation = std::nullopt) const;
  /// Encodes many texts in parallel on `num_threads` threads (0: hardware threads); order kept.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, bool add_special_tokens = true,
                                     const std::optional<TruncationOptions>& truncation = std::nullopt,
                                     int num_threads = 0) const;
  /// Encodes many pairs in parallel; order kept.
  std::vector<Encoding> encode_pair_batch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                          bool add_special_tokens = true,
                                          const std::optional<TruncationOptions>& truncation = std::nullopt,
                                          int num_threads = 0) const;

  /// Token ids back to text through the decoder; special added tokens dropped when asked.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true) const;

  std::optional<int64_t> token_to_id(const std::string& token) const;
  std::optional<std::string> id_to_token(int64_t id) const;
  /// Number of ids (model vocabulary plus added tokens beyond it).
  size_t vocab_size() const;
  /// Number of special tokens the post-processor adds to a single text or a pair.
  size_t num_special_tokens(bool pair) const;

  /// Well-known special tokens, found by their usual spellings ([PAD]/<pad>, [CLS]/<s>, ...).
  std::optional<int64_t> pad_id() const { return find_first({"[PAD]", "<pad>", "<|endoftext|>"}); }
  std::optional<int64_t> cls_id() const { return find_first({"[CLS]", "<s>"}); }
  std::optional<int64_t> sep_id() const { return find_first({"[SEP]", "</s>"}); }
  std::optional<int64_t> mask_id() const { return find_first({"[MASK]", "<mask>"}); }
  std::optional<int64_t> unk_id() const { return find_first({"[UNK]", "<unk>"}); }

 private:
  Encoding encode_sequence(std::string_view text, int64_t type_id, int32_t sequence_id) const;
  Encoding post_process(Encoding a, std::optional<Encoding> b, bool add_special_tokens,
                        const std::optional<TruncationOptions>& truncation) const;
  std::optional<int64_t> find_first(std::initializer_list<const char*> tokens) const;

  TokenizerParts parts_;
};

}  // namespace adalora::tokenizers
