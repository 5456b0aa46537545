// Trains a BERT-style (uncased by default) WordPiece vocabulary from text, the way HF tokenizers
// v0.19 src/models/wordpiece/trainer.rs does: it is the BPE trainer (src/models/bpe/trainer.rs)
// with the "##" continuing-subword prefix, whose final vocabulary becomes the WordPiece model's.
//   1. text → BertNormalizer → BertPreTokenizer → word counts (the pipeline's own stages, reused);
//   2. vocabulary = special tokens, then every character (code-point order), then "##c" for every
//      character seen inside a word (code-point order);
//   3. repeatedly merge the most frequent adjacent pair (a, b) into a + b-without-"##" until
//      `vocab_size` tokens or no pair reaches `min_frequency`.
// Deliberate differences from HF (so results are close, not byte-equal): ties between equally
// frequent pairs go to the smaller (a, b) by string, not by HF's id order; "##c" tokens are added
// in code-point order rather than in hash-map encounter order; words longer than
// max_input_chars_per_word are not counted (WordPiece encodes them as [UNK] anyway); a base
// vocabulary larger than vocab_size is an error rather than a silently larger vocabulary. The
// output folder is what HF `BertTokenizerFast.from_pretrained` and our Tokenizer::from_dir read.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace adalora::tokenizers {

struct WordPieceTrainerOptions {
  /// Size of the final vocabulary, special tokens included.
  size_t vocab_size = 30522;
  /// A pair merges only if it occurs at least this often (HF's min_frequency; 0 and 1 mean any).
  uint64_t min_frequency = 2;
  /// Ids 0.. in this order; must contain unk_token, cls_token and sep_token.
  std::vector<std::string> special_tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::string unk_token = "[UNK]";
  std::string cls_token = "[CLS]";
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string mask_token = "[MASK]";
  /// Keep only the most frequent characters (ties: smaller code point); 0 keeps all. Others are
  /// dropped from the words being trained on (HF's limit_alphabet).
  size_t limit_alphabet = 0;
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
  /// BertNormalizer: lowercase and strip accents (uncased), CJK characters as their own words.
  bool lowercase = true;
  bool handle_chinese_chars = true;
  /// tokenizer_config.json's model_max_length.
  size_t model_max_length = 512;
  /// Threads for counting words; 0: hardware threads.
  int num_threads = 0;
};

class WordPieceTrainer {
 public:
  /// Checks the options; adalora::Error names the field.
  explicit WordPieceTrainer(WordPieceTrainerOptions options);

  /// Normalises, pre-tokenises and counts the words of `texts` (one text each; may be called many
  /// times).
  void feed(const std::vector<std::string>& texts);
  /// Feeds a UTF-8 text file, one text per line; adalora::Error if it cannot be read.
  void feed_file(const std::string& path);

  /// The trained vocabulary in id order (specials first). Deterministic for the same words fed.
  /// adalora::Error when vocab_size cannot hold the special tokens and the characters.
  std::vector<std::string> train() const;

  /// Words counted so far (normalised, pre-tokenised).
  const std::unordered_map<std::string, uint64_t>& word_counts() const { return word_counts_; }
  const WordPieceTrainerOptions& options() const { return options_; }

 private:
  WordPieceTrainerOptions options_;
  std::unordered_map<std::string, uint64_t> word_counts_;
};

/// Writes a HF BERT tokenizer folder for `vocab` (as train() returns it): tokenizer.json
/// (BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing "[CLS] $A [SEP]" / "[CLS] $A
/// [SEP] $B:1 [SEP]:1", WordPiece decoder), vocab.txt, tokenizer_config.json and
/// special_tokens_map.json. Creates `dir`.
void save_wordpiece_tokenizer(const std::string& dir, const std::vector<std::string>& vocab,
                              const WordPieceTrainerOptions& options);

}  // namespace adalora::tokenizers
