// SentencePiece decoding (see sentencepiece_decoder.h).
#include "adalora/tokenizers/sentencepiece_decoder.h"

#include <unordered_set>

namespace adalora::tokenizers {
namespace {

const std::string kSpaceSymbolUtf8 = "\xe2\x96\x81";

// util.cc DecodeUTF8 + IsValidDecodeUTF8: the length of the valid character at the start of `s`,
// 0 when the first byte starts none (the encoded U+FFFD itself counts as valid).
size_t valid_utf8_length(std::string_view s) {
  auto trail = [&](size_t k) { return k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
  auto valid = [](char32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); };
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0 && trail(1)) {
    const char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[1]) & 0x3Fu);
    return c >= 0x80 && valid(c) ? 2 : 0;
  }
  if ((b0 & 0xF0) == 0xE0 && trail(1) && trail(2)) {
    const char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[1]) & 0x3Fu) << 6) |
                       (static_cast<unsigned char>(s[2]) & 0x3Fu);
    return c >= 0x800 && valid(c) ? 3 : 0;
  }
  if ((b0 & 0xF8) == 0xF0 && trail(1) && trail(2) && trail(3)) {
    const char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[1]) & 0x3Fu) << 12) |
                       ((static_cast<unsigned char>(s[2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[3]) & 0x3Fu);
    return c >= 0x10000 && valid(c) ? 4 : 0;
  }
  return 0;
}

int byte_of(const std::string& piece) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  const int hi = hex(piece[3]), lo = hex(piece[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

class SentencePieceDecoder : public Decoder {
 public:
  explicit SentencePieceDecoder(const SpmModelProto& m)
      : byte_fallback_(m.byte_fallback),
        strip_first_space_(m.add_dummy_prefix || m.remove_extra_whitespaces),
        remove_extra_whitespaces_(m.remove_extra_whitespaces),
        unk_surface_(m.unk_surface) {
    for (const SpmPiece& p : m.pieces) {
      if (p.type == SpmPiece::Control) control_.insert(p.piece);
      if (p.type == SpmPiece::Unknown) unk_piece_ = p.piece;
    }
  }

  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string text;
    std::string bytes;  // the current run of byte pieces
    auto flush_bytes = [&] {
      for (size_t at = 0; at < bytes.size();) {
        const size_t len = valid_utf8_length(std::string_view(bytes).substr(at));
        text += len == 0 ? std::string("\xEF\xBF\xBD") : bytes.substr(at, len);
        at += len == 0 ? 1 : len;
      }
      bytes.clear();
    };
    bool is_bos_ws = true;  // a leading U+2581 may still be dropped
    bool bos_ws_seen = false;
    size_t control_chars = 0;  // of `text`, written by control pieces (not text for the rule)
    for (std::string& piece : tokens) {
      const int b = byte_fallback_ ? byte_of(piece) : -1;
      if (b >= 0) {
        bytes.push_back(static_cast<char>(b));
        continue;
      }
      flush_bytes();
      if (bos_ws_seen || text.size() > control_chars) is_bos_ws = false;
      bos_ws_seen = false;
      if (control_.count(piece)) {
        text += piece;
        control_chars += piece.size();
        continue;
      }
      if (piece == unk_piece_) {
        text += unk_surface_;
        continue;
      }
      std::string_view rest = piece;
      if (is_bos_ws && strip_first_space_ && rest.compare(0, kSpaceSymbolUtf8.size(), kSpaceSymbolUtf8) == 0) {
        rest.remove_prefix(kSpaceSymbolUtf8.size());
        bos_ws_seen = !remove_extra_whitespaces_;
      }
      for (size_t at = 0; at < rest.size();) {
        if (rest.compare(at, kSpaceSymbolUtf8.size(), kSpaceSymbolUtf8) == 0) {
          text += ' ';
          at += kSpaceSymbolUtf8.size();
        } else {
          text += rest[at++];
        }
      }
    }
    flush_bytes();
    return {text};
  }

 private:
  bool byte_fallback_, strip_first_space_, remove_extra_whitespaces_;
  std::string unk_surface_, unk_piece_;
  std::unordered_set<std::string> control_;
};

}  // namespace

DecoderPtr make_sentencepiece_decoder(const SpmModelProto& model) {
  return std::make_shared<SentencePieceDecoder>(model);
}

}  // namespace adalora::tokenizers
