// Tokenizers from a model folder's legacy (pre-tokenizer.json) files, built as the pipeline HF
// transformers' convert_slow_tokenizer.py (v4.40) would build, so that they encode exactly as the
// tokenizer.json path:
//   vocab.txt (+ tokenizer_config.json do_lower_case / strip_accents / tokenize_chinese_chars) → BERT
//   vocab.json + merges.txt → GPT-2 byte-level BPE; RoBERTa/BART template when the vocabulary has <s>
//   *.model (SentencePiece Unigram; the ModelProto is read directly, see legacy.cpp for why not
//     through libsentencepiece): pieces, scores and precompiled charsmap → Precompiled +
//     Replace(" {2,}", " ") + Metaspace + Unigram; "sentencepiece.bpe.model" gets XLM-R's fairseq id
//     layout (<s>=0 <pad>=1 </s>=2 <unk>=3, pieces shifted by one, <mask> last); others keep the
//     model's ids (DeBERTa-v3 [CLS]/[SEP] template, or T5's "$A </s>").
//   *.model (SentencePiece BPE: LLaMA, Mistral) → SentencePiece's own normaliser, BPE and decoding
//     (sentencepiece_{normalizer,bpe,decoder}.h), id for id with SentencePiece; <s> added in front
//     (tokenizer_config.json add_bos_token / add_eos_token as HF's LlamaTokenizer).
#pragma once

#include <string>

#include "adalora/tokenizers/tokenizer.h"

namespace adalora::tokenizers {

/// Loads a folder (or one legacy file) as described above; adalora::Error names what is missing.
Tokenizer load_legacy(const std::string& path);

}  // namespace adalora::tokenizers
