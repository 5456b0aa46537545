// The fields of a SentencePiece ModelProto (sentencepiece v0.1.97 src/sentencepiece_model.proto)
// that encoding and decoding need, read straight from the protobuf wire format. Not through
// libsentencepiece: Debian's build bundles protobuf 3.14, which cannot live in one process with the
// libprotobuf 3.21 LibTorch loads (it aborts at load time). Absent fields take the proto2 defaults
// written below, as SentencePiece does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace adalora::tokenizers {

struct SpmPiece {
  enum Type { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
  std::string piece;
  float score = 0;
  int type = Normal;
};

struct SpmModelProto {
  enum ModelType { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };
  std::vector<SpmPiece> pieces;
  // trainer_spec
  int model_type = Unigram;
  bool treat_whitespace_as_suffix = false;
  bool byte_fallback = false;
  int64_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;  ///< -1: disabled
  std::string unk_surface = " \xE2\x81\x87 ";                ///< what decoding writes for <unk>
  // normalizer_spec
  std::string normalizer_name;
  std::string precompiled_charsmap;  ///< empty: no character normalisation (identity)
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  // denormalizer_spec (decoding-side rules; we refuse models that carry one)
  std::string denormalizer_charsmap;
};

/// Parses the bytes of a .model file; adalora::Error names `where` when it is not a ModelProto.
SpmModelProto read_sentencepiece_proto(std::string_view bytes, const std::string& where);

}  // namespace adalora::tokenizers
