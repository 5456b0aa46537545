// Encoding the generative tasks' rows (data/text_records.h) into label sequences
// (EncodedDataset::label_ids, -100 = no loss).
//
// Causal LM — a row has "text" (loss on every token, HF run_clm's labels = input_ids) or "prompt"
// and "completion" (loss on the completion only). The text (prompt + completion, concatenated as
// written) is encoded once with the tokenizer's post-processor (BOS/EOS exactly as the tokenizer
// adds them: none for GPT-2, <s> for LLaMA, </s> too when tokenizer_config.json says
// add_eos_token) and truncated to max_seq_length. A token is a completion token when its
// characters start at or after the prompt's end (offsets; a token straddling the boundary is
// prompt); special tokens before the text are prompt, after it completion. The labels are the
// input ids with -100 on prompt tokens (the model shifts them). To teach the model to stop, end
// the completion with the EOS token's text (an added token, matched in the text) or use a
// tokenizer that appends EOS.
//
// Seq2seq — source and target columns (XSum: document/summary; CNN/DailyMail:
// article/highlights): the source encoded with special tokens to max_seq_length, the labels the
// target encoded with special tokens (BART: <s> … </s>, as HF run_summarization's
// tokenizer(text_target=…)) to max_target_length. The model builds its decoder inputs by
// shift_tokens_right (decoder_start_token_id first).
//
// Rows that would train on nothing (an empty document or summary, a completion truncated away)
// are errors naming file, line and field, never silently dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adalora/data/text_records.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/train/collate.h"

namespace adalora::train {

/// Reads and encodes a causal-LM file (JSONL or CSV with "text", or "prompt" + "completion").
EncodedDataset read_causal_lm_file(const std::string& path, const tokenizers::Tokenizer& tok,
                                   int64_t max_seq_length);

/// Encodes causal-LM rows (see the file comment); `records.path` names the file in errors.
EncodedDataset encode_causal_lm(const data::TextRecords& records, const tokenizers::Tokenizer& tok,
                                int64_t max_seq_length);

/// A seq2seq file's encoded rows and their target texts (the references ROUGE compares with).
struct Seq2SeqData {
  EncodedDataset encoded;            ///< input_ids = source, label_ids = target
  std::vector<std::string> sources;  ///< as read
  std::vector<std::string> targets;  ///< as read
};

/// Reads and encodes a seq2seq file with the columns `source_column` and `target_column`.
Seq2SeqData read_seq2seq_file(const std::string& path, const std::string& source_column,
                              const std::string& target_column, const tokenizers::Tokenizer& tok,
                              int64_t max_seq_length, int64_t max_target_length);

}  // namespace adalora::train
