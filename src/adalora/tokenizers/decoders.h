// Decoders: token strings back to text (HF tokenizers v0.19 src/decoders/: WordPiece, ByteLevel,
// Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence). Each maps a list of token strings to a
// list of strings; the tokenizer concatenates the result.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace adalora::tokenizers {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};
using DecoderPtr = std::shared_ptr<const Decoder>;

/// From a tokenizer.json object; unknown `type` → adalora::Error naming it and `where`.
DecoderPtr decoder_from_json(const nlohmann::json& j, const std::string& where);

DecoderPtr make_wordpiece_decoder(const std::string& prefix, bool cleanup);
DecoderPtr make_byte_level_decoder();
DecoderPtr make_metaspace_decoder(char32_t replacement, bool prepend);

}  // namespace adalora::tokenizers
