// The decoders of tokenizer.json (see decoders.h).
#include "adalora/tokenizers/decoders.h"

#include "adalora/core/error.h"
#include "adalora/tokenizers/pre_tokenizers.h"
#include "adalora/tokenizers/regex.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// Decodes UTF-8 as Rust's String::from_utf8_lossy would (invalid sequences → U+FFFD).
std::string lossy_utf8(const std::string& bytes) { return u32_to_utf8(utf8_to_u32(bytes)); }

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) {
          t.erase(0, prefix_.size());
        } else {
          t = " " + t;
        }
      }
      if (cleanup_) {
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
                 {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
                 {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}}) {
          replace_all(t, from, to);
        }
      }
    }
    return tokens;
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const auto& t : tokens) {
      for (char32_t c : utf8_to_u32(t)) {
        const int b = char_to_byte(c);
        if (b >= 0) {
          bytes.push_back(static_cast<char>(b));
        } else {
          append_utf8(bytes, c);
        }
      }
    }
    return {lossy_utf8(bytes)};
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool prepend) : replacement_(replacement), prepend_(prepend) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::u32string t = utf8_to_u32(tokens[i]);
      for (char32_t& c : t) {
        if (c == replacement_) c = ' ';
      }
      if (i == 0 && prepend_ && !t.empty() && t[0] == ' ') t.erase(0, 1);
      tokens[i] = u32_to_utf8(t);
    }
    return tokens;
  }

 private:
  char32_t replacement_;
  bool prepend_;
};

class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    size_t pending_count = 0;
    auto flush = [&] {
      if (pending_count == 0) return;
      // Rust's String::from_utf8: valid when decoding loses nothing (an encoded U+FFFD is valid).
      const bool valid = u32_to_utf8(utf8_to_u32(pending)) == pending;
      if (valid) {
        out.push_back(pending);
      } else {
        for (size_t k = 0; k < pending_count; ++k) out.push_back("\xEF\xBF\xBD");
      }
      pending.clear();
      pending_count = 0;
    };
    for (const auto& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
        try {
          pending.push_back(static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16)));
          ++pending_count;
          continue;
        } catch (const std::exception&) {
        }
      }
      flush();
      out.push_back(t);
    }
    flush();
    return out;
  }
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    return {all};
  }
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (auto& token : tokens) {
      std::u32string t = utf8_to_u32(token);
      size_t b = 0, e = t.size();
      for (size_t k = 0; k < start_ && b < e && t[b] == content_; ++k) ++b;
      for (size_t k = 0; k < stop_ && e > b && t[e - 1] == content_; ++k) --e;
      token = u32_to_utf8(t.substr(b, e - b));
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const std::string& pattern, bool literal, std::string content, const std::string& where)
      : regex_(std::make_shared<Regex>(pattern, literal, where)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (auto& token : tokens) {
      const std::u32string t = utf8_to_u32(token);
      std::string out;
      size_t at = 0;
      for (const auto& [b, e] : regex_->find_all(t)) {
        out += u32_to_utf8(t.substr(at, b - at));
        out += content_;
        at = e;
      }
      out += u32_to_utf8(t.substr(at));
      token = std::move(out);
    }
    return tokens;
  }

 private:
  std::shared_ptr<Regex> regex_;
  std::string content_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<DecoderPtr> parts) : parts_(std::move(parts)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& p : parts_) tokens = p->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<DecoderPtr> parts_;
};

char32_t one_char(const std::string& s, const std::string& where) {
  const std::u32string u = utf8_to_u32(s);
  ADALORA_CHECK(u.size() == 1, where, ": expected one character, got \"", s, "\"");
  return u[0];
}

}  // namespace

DecoderPtr make_wordpiece_decoder(const std::string& prefix, bool cleanup) {
  return std::make_shared<WordPieceDecoder>(prefix, cleanup);
}
DecoderPtr make_byte_level_decoder() { return std::make_shared<ByteLevelDecoder>(); }
DecoderPtr make_metaspace_decoder(char32_t replacement, bool prepend) {
  return std::make_shared<MetaspaceDecoder>(replacement, prepend);
}

DecoderPtr decoder_from_json(const json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  ADALORA_CHECK(j.is_object() && j.contains("type"), where, ": decoder: expected an object with \"type\", got ",
                j.dump().substr(0, 100));
  const std::string type = j.at("type").get<std::string>();
  if (type == "WordPiece") return make_wordpiece_decoder(j.value("prefix", std::string("##")), j.value("cleanup", true));
  if (type == "ByteLevel") return make_byte_level_decoder();
  if (type == "Metaspace") {
    bool prepend = true;
    if (j.contains("prepend_scheme")) prepend = j.at("prepend_scheme").get<std::string>() != "never";
    else if (j.contains("add_prefix_space")) prepend = j.at("add_prefix_space").get<bool>();
    return make_metaspace_decoder(one_char(j.value("replacement", std::string("\xE2\x96\x81")), where + ": decoder Metaspace: replacement"), prepend);
  }
  if (type == "ByteFallback") return std::make_shared<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_shared<FuseDecoder>();
  if (type == "Strip") {
    return std::make_shared<StripDecoder>(one_char(j.at("content").get<std::string>(), where + ": decoder Strip: content"),
                                          j.value("start", size_t{0}), j.value("stop", size_t{0}));
  }
  if (type == "Replace") {
    const json& p = j.at("pattern");
    const bool literal = p.contains("String");
    const std::string pattern = literal ? p.at("String").get<std::string>() : p.at("Regex").get<std::string>();
    return std::make_shared<ReplaceDecoder>(pattern, literal, j.at("content").get<std::string>(), where + ": decoder Replace");
  }
  if (type == "Sequence") {
    std::vector<DecoderPtr> parts;
    for (const auto& p : j.at("decoders")) {
      if (auto d = decoder_from_json(p, where)) parts.push_back(std::move(d));
    }
    return std::make_shared<SequenceDecoder>(std::move(parts));
  }
  throw Error(str_cat(where, ": decoder: type \"", type,
                      "\" is not supported (supported: ByteFallback, ByteLevel, Fuse, Metaspace, Replace, Sequence, "
                      "Strip, WordPiece)"));
}

}  // namespace adalora::tokenizers
