// The post-processors of tokenizer.json (see post_processors.h).
#include "adalora/tokenizers/post_processors.h"

#include <map>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/tokenizers/pre_tokenizers.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;
using Special = std::pair<std::string, int64_t>;

// HF byte_level::process_offsets: leading/trailing spaces ('Ġ' or whitespace) leave the offsets.
void trim_offsets(Encoding& e, bool add_prefix_space) {
  const char32_t space = byte_to_char(' ');
  for (size_t i = 0; i < e.size(); ++i) {
    const std::u32string t = utf8_to_u32(e.tokens[i]);
    auto is_space = [&](char32_t c) { return c == space || is_whitespace(c); };
    size_t leading = 0, trailing = 0;
    while (leading < t.size() && is_space(t[leading])) ++leading;
    while (trailing < t.size() && is_space(t[t.size() - 1 - trailing])) ++trailing;
    auto& [start, end] = e.offsets[i];
    if (leading > 0) {
      const bool is_first = i == 0 || start == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      start = std::min(start + leading, end);
    }
    if (trailing > 0 && end >= trailing) end = std::max(end - trailing, start);
  }
  for (auto& o : e.overflowing) trim_offsets(o, add_prefix_space);
}

Encoding special_encoding(const std::vector<Special>& tokens, int64_t type_id) {
  Encoding e;
  for (const auto& [token, id] : tokens) e.push(id, token, {0, 0}, type_id, /*special=*/true, -1);
  return e;
}

void set_type_ids(Encoding& e, int64_t type_id) { std::fill(e.type_ids.begin(), e.type_ids.end(), type_id); }

class BertProcessing : public PostProcessor {
 public:
  BertProcessing(Special cls, Special sep) : cls_(std::move(cls)), sep_(std::move(sep)) {}
  size_t added_tokens(bool pair) const override { return pair ? 3 : 2; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special) const override {
    if (!add_special) return encodings;
    for (size_t i = 0; i < encodings.size(); ++i) wrap(encodings[i], i == 0);
    return encodings;
  }

 private:
  void wrap(Encoding& e, bool first) const {
    Encoding out = first ? special_encoding({cls_}, 0) : Encoding{};
    const int64_t type_id = first ? 0 : 1;
    Encoding body = e;
    body.overflowing.clear();
    set_type_ids(body, type_id);
    Encoding tail = special_encoding({sep_}, type_id);
    auto cat = [](Encoding& a, const Encoding& b) {
      for (size_t k = 0; k < b.size(); ++k) {
        a.push(b.ids[k], b.tokens[k], b.offsets[k], b.type_ids[k], b.special_tokens_mask[k] != 0, b.sequence_ids[k]);
      }
    };
    cat(out, body);
    cat(out, tail);
    for (auto& o : e.overflowing) {
      wrap(o, first);
      out.overflowing.push_back(std::move(o));
    }
    e = std::move(out);
  }
  Special cls_, sep_;
};

class RobertaProcessing : public PostProcessor {
 public:
  RobertaProcessing(Special cls, Special sep, bool trim, bool add_prefix_space)
      : cls_(std::move(cls)), sep_(std::move(sep)), trim_(trim), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool pair) const override { return pair ? 4 : 2; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special) const override {
    if (trim_) {
      for (auto& e : encodings) trim_offsets(e, add_prefix_space_);
    }
    if (!add_special) return encodings;
    for (size_t i = 0; i < encodings.size(); ++i) wrap(encodings[i], i == 0);
    return encodings;
  }

 private:
  void wrap(Encoding& e, bool first) const {
    Encoding out = special_encoding(first ? std::vector<Special>{cls_} : std::vector<Special>{sep_}, first ? 0 : 1);
    const int64_t type_id = first ? 0 : 1;
    for (size_t k = 0; k < e.size(); ++k) {
      out.push(e.ids[k], e.tokens[k], e.offsets[k], type_id, e.special_tokens_mask[k] != 0, e.sequence_ids[k]);
    }
    out.push(sep_.second, sep_.first, {0, 0}, type_id, true, -1);
    for (auto& o : e.overflowing) {
      wrap(o, first);
      out.overflowing.push_back(std::move(o));
    }
    e = std::move(out);
  }
  Special cls_, sep_;
  bool trim_, add_prefix_space_;
};

class ByteLevelProcessing : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim, bool add_prefix_space) : trim_(trim), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool) const override {
    if (trim_) {
      for (auto& e : encodings) trim_offsets(e, add_prefix_space_);
    }
    return encodings;
  }

 private:
  bool trim_, add_prefix_space_;
};

struct Piece {
  bool special;
  std::string id;   // the special token's name, or "A"/"B"
  int64_t type_id;
};

class TemplateProcessing : public PostProcessor {
 public:
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, std::map<std::string, std::vector<Special>> specials,
                     const std::string& where)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {
    for (const auto* t : {&single_, &pair_}) {
      for (const auto& p : *t) {
        ADALORA_CHECK(!p.special || specials_.count(p.id), where, ": post_processor TemplateProcessing: special_tokens: ",
                      "expected an entry for \"", p.id, "\", got none");
      }
    }
  }
  size_t added_tokens(bool pair) const override {
    size_t n = 0;
    for (const auto& p : pair ? pair_ : single_) {
      if (p.special) n += specials_.at(p.id).size();
    }
    return n;
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special) const override {
    std::vector<Encoding> out;
    for (const auto& p : encodings.size() == 2 ? pair_ : single_) {
      if (p.special) {
        if (add_special) out.push_back(special_encoding(specials_.at(p.id), p.type_id));
        continue;
      }
      const size_t i = p.id == "A" ? 0 : 1;
      ADALORA_CHECK(i < encodings.size(), "TemplateProcessing: the template uses $B but only one sequence was given");
      // As HF: only the top-level encoding gets the template's type id (windows keep theirs).
      set_type_ids(encodings[i], p.type_id);
      out.push_back(encodings[i]);
    }
    return out;
  }

 private:
  std::vector<Piece> single_, pair_;
  std::map<std::string, std::vector<Special>> specials_;
};

class SequenceProcessing : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<PostProcessorPtr> parts) : parts_(std::move(parts)) {}
  size_t added_tokens(bool pair) const override {
    size_t n = 0;
    for (const auto& p : parts_) n += p->added_tokens(pair);
    return n;
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special) const override {
    for (const auto& p : parts_) encodings = p->process_encodings(std::move(encodings), add_special);
    return encodings;
  }

 private:
  std::vector<PostProcessorPtr> parts_;
};

Special special_from_json(const json& j) { return {j.at(0).get<std::string>(), j.at(1).get<int64_t>()}; }

std::vector<Piece> pieces_from_json(const json& j, const std::string& where) {
  std::vector<Piece> out;
  for (const auto& p : j) {
    if (p.contains("SpecialToken")) {
      const auto& s = p.at("SpecialToken");
      out.push_back({true, s.at("id").get<std::string>(), s.value("type_id", int64_t{0})});
    } else if (p.contains("Sequence")) {
      const auto& s = p.at("Sequence");
      out.push_back({false, s.at("id").get<std::string>(), s.value("type_id", int64_t{0})});
    } else {
      throw Error(str_cat(where, ": post_processor TemplateProcessing: expected SpecialToken or Sequence pieces, got ",
                          p.dump().substr(0, 100)));
    }
  }
  return out;
}

std::vector<Piece> pieces_from_string(const std::string& text) {
  std::vector<Piece> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    int64_t type_id = 0;
    const auto colon = word.rfind(':');
    if (colon != std::string::npos && colon + 1 < word.size() && word.size() > 1) {
      type_id = std::stoll(word.substr(colon + 1));
      word = word.substr(0, colon);
    }
    if (word == "$A" || word == "$B" || word == "$") {
      out.push_back({false, word == "$B" ? "B" : "A", type_id});
    } else {
      out.push_back({true, word, type_id});
    }
  }
  return out;
}

}  // namespace

PostProcessorPtr make_bert_processing(Special cls, Special sep) {
  return std::make_shared<BertProcessing>(std::move(cls), std::move(sep));
}
PostProcessorPtr make_roberta_processing(Special cls, Special sep, bool trim, bool add_prefix_space) {
  return std::make_shared<RobertaProcessing>(std::move(cls), std::move(sep), trim, add_prefix_space);
}
PostProcessorPtr make_byte_level_processing(bool trim, bool add_prefix_space) {
  return std::make_shared<ByteLevelProcessing>(trim, add_prefix_space);
}
PostProcessorPtr make_template_processing(const std::string& single, const std::string& pair,
                                          const std::vector<Special>& specials) {
  std::map<std::string, std::vector<Special>> map;
  for (const auto& s : specials) map[s.first] = {s};
  return std::make_shared<TemplateProcessing>(pieces_from_string(single), pieces_from_string(pair), std::move(map),
                                              "template");
}

PostProcessorPtr post_processor_from_json(const json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  ADALORA_CHECK(j.is_object() && j.contains("type"), where, ": post_processor: expected an object with \"type\", got ",
                j.dump().substr(0, 100));
  const std::string type = j.at("type").get<std::string>();
  if (type == "BertProcessing") return make_bert_processing(special_from_json(j.at("cls")), special_from_json(j.at("sep")));
  if (type == "RobertaProcessing") {
    return make_roberta_processing(special_from_json(j.at("cls")), special_from_json(j.at("sep")),
                                   j.value("trim_offsets", true), j.value("add_prefix_space", true));
  }
  if (type == "ByteLevel") return make_byte_level_processing(j.value("trim_offsets", true), j.value("add_prefix_space", true));
  if (type == "TemplateProcessing") {
    std::map<std::string, std::vector<Special>> specials;
    for (const auto& [name, s] : j.at("special_tokens").items()) {
      const auto ids = s.at("ids").get<std::vector<int64_t>>();
      const auto tokens = s.at("tokens").get<std::vector<std::string>>();
      ADALORA_CHECK(ids.size() == tokens.size(), where, ": post_processor TemplateProcessing: special_tokens \"", name,
                    "\": expected as many ids as tokens, got ", ids.size(), " and ", tokens.size());
      for (size_t k = 0; k < ids.size(); ++k) specials[name].emplace_back(tokens[k], ids[k]);
    }
    auto parse = [&](const json& t) {
      return t.is_string() ? pieces_from_string(t.get<std::string>()) : pieces_from_json(t, where);
    };
    return std::make_shared<TemplateProcessing>(parse(j.at("single")), parse(j.at("pair")), std::move(specials), where);
  }
  if (type == "Sequence") {
    std::vector<PostProcessorPtr> parts;
    for (const auto& p : j.at("processors")) {
      if (auto q = post_processor_from_json(p, where)) parts.push_back(std::move(q));
    }
    return std::make_shared<SequenceProcessing>(std::move(parts));
  }
  throw Error(str_cat(where, ": post_processor: type \"", type,
                      "\" is not supported (supported: BertProcessing, ByteLevel, RobertaProcessing, Sequence, "
                      "TemplateProcessing)"));
}

}  // namespace adalora::tokenizers
