// SentencePiece's decoding of pieces back to text (sentencepiece v0.1.97
// src/sentencepiece_processor.cc SentencePieceProcessor::Decode), for models read from a .model
// file: U+2581 → ' '; the first piece's leading U+2581 dropped when add_dummy_prefix or
// remove_extra_whitespaces (with remove_extra_whitespaces also after a piece that was only that
// U+2581); runs of <0xXX> byte pieces reassembled into UTF-8, each invalid byte → U+FFFD; the
// unknown piece → trainer_spec.unk_surface (" ⁇ "). One deliberate difference: a control piece
// (<s>, </s>), which the tokenizer passes only when asked not to skip special tokens, is written as
// its text (HF's convention) where SentencePiece writes nothing; it still counts as no text for
// the leading-space rule, so "<s>" + "▁Hello" → "<s>Hello".
#pragma once

#include "adalora/tokenizers/decoders.h"
#include "adalora/tokenizers/sentencepiece_proto.h"

namespace adalora::tokenizers {

DecoderPtr make_sentencepiece_decoder(const SpmModelProto& model);

}  // namespace adalora::tokenizers
