// Protobuf wire-format walk over a SentencePiece ModelProto (see sentencepiece_proto.h).
#include "adalora/tokenizers/sentencepiece_proto.h"

#include <cstring>

#include "adalora/core/error.h"

namespace adalora::tokenizers {
namespace {

bool read_varint(std::string_view& s, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !s.empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(s[0]);
    s.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Calls visit(field, wire_type, varint, bytes) for each field of a message; false when malformed.
template <typename F>
bool walk_message(std::string_view s, F visit) {
  while (!s.empty()) {
    uint64_t key = 0, v = 0;
    if (!read_varint(s, key)) return false;
    const auto field = static_cast<int>(key >> 3);
    const auto wire = static_cast<int>(key & 7);
    std::string_view bytes;
    if (wire == 0) {
      if (!read_varint(s, v)) return false;
    } else if (wire == 1 || wire == 5) {
      const size_t n = wire == 1 ? 8 : 4;
      if (s.size() < n) return false;
      bytes = s.substr(0, n);
      s.remove_prefix(n);
    } else if (wire == 2) {
      if (!read_varint(s, v) || v > s.size()) return false;
      bytes = s.substr(0, v);
      s.remove_prefix(v);
    } else {
      return false;
    }
    visit(field, wire, v, bytes);
  }
  return true;
}

// int32 fields are varints of their 64-bit two's complement (-1 takes ten bytes).
int64_t as_int32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

}  // namespace

SpmModelProto read_sentencepiece_proto(std::string_view bytes, const std::string& where) {
  SpmModelProto m;
  bool nested_ok = true;
  auto read_normalizer = [&](std::string_view b, bool denormalizer) {
    nested_ok &= walk_message(b, [&](int f, int w, uint64_t v, std::string_view s) {
      if (denormalizer) {
        if (f == 2 && w == 2) m.denormalizer_charsmap = std::string(s);
        return;
      }
      if (f == 1 && w == 2) m.normalizer_name = std::string(s);
      if (f == 2 && w == 2) m.precompiled_charsmap = std::string(s);
      if (f == 3 && w == 0) m.add_dummy_prefix = v != 0;
      if (f == 4 && w == 0) m.remove_extra_whitespaces = v != 0;
      if (f == 5 && w == 0) m.escape_whitespaces = v != 0;
    });
  };
  const bool ok = walk_message(bytes, [&](int field, int wire, uint64_t, std::string_view b) {
    if (wire != 2) return;
    if (field == 1) {
      SpmPiece p;
      nested_ok &= walk_message(b, [&](int f, int w, uint64_t v, std::string_view s) {
        if (f == 1 && w == 2) p.piece = std::string(s);
        if (f == 2 && w == 5) std::memcpy(&p.score, s.data(), 4);  // little-endian float
        if (f == 3 && w == 0) p.type = static_cast<int>(v);
      });
      m.pieces.push_back(std::move(p));
    } else if (field == 2) {
      nested_ok &= walk_message(b, [&](int f, int w, uint64_t v, std::string_view s) {
        if (w == 0) {
          if (f == 3) m.model_type = static_cast<int>(v);
          if (f == 24) m.treat_whitespace_as_suffix = v != 0;
          if (f == 35) m.byte_fallback = v != 0;
          if (f == 40) m.unk_id = as_int32(v);
          if (f == 41) m.bos_id = as_int32(v);
          if (f == 42) m.eos_id = as_int32(v);
          if (f == 43) m.pad_id = as_int32(v);
        } else if (w == 2 && f == 44) {
          m.unk_surface = std::string(s);
        }
      });
    } else if (field == 3) {
      read_normalizer(b, false);
    } else if (field == 5) {
      read_normalizer(b, true);
    }
  });
  ADALORA_CHECK(ok && nested_ok, where, ": expected a SentencePiece ModelProto, got malformed protobuf");
  return m;
}

}  // namespace adalora::tokenizers
