// The tokenizer pipeline and tokenizer.json loading (see tokenizer.h).
#include "adalora/tokenizers/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/tokenizers/bpe.h"
#include "adalora/tokenizers/legacy.h"
#include "adalora/tokenizers/parallel.h"
#include "adalora/tokenizers/unicode.h"
#include "adalora/tokenizers/unigram.h"
#include "adalora/tokenizers/wordpiece.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;

ModelPtr model_from_json(const json& m, const std::string& where) {
  ADALORA_CHECK(m.is_object(), where, ": model: expected an object, got ", m.dump().substr(0, 100));
  std::string type = m.value("type", std::string());
  if (type.empty()) type = m.contains("merges") ? "BPE" : m.contains("unk_id") ? "Unigram" : "WordPiece";
  if (type == "WordPiece") {
    Vocab vocab = vocab_from_json(m.at("vocab"), str_cat(where, ": model"));
    WordPieceOptions o;
    o.unk_token = m.value("unk_token", o.unk_token);
    o.continuing_subword_prefix = m.value("continuing_subword_prefix", o.continuing_subword_prefix);
    o.max_input_chars_per_word = m.value("max_input_chars_per_word", o.max_input_chars_per_word);
    return std::make_shared<WordPiece>(std::move(vocab), o);
  }
  if (type == "BPE") {
    Vocab vocab = vocab_from_json(m.at("vocab"), str_cat(where, ": model"));
    std::vector<std::pair<std::string, std::string>> merges;
    for (const auto& entry : m.at("merges")) {
      if (entry.is_string()) {
        const std::string s = entry.get<std::string>();
        const auto space = s.find(' ', 1);
        ADALORA_CHECK(space != std::string::npos, where, ": model.merges[", merges.size(),
                      "]: expected \"a b\", got \"", s, "\"");
        merges.emplace_back(s.substr(0, space), s.substr(space + 1));
      } else {
        ADALORA_CHECK(entry.is_array() && entry.size() == 2, where, ": model.merges[", merges.size(),
                      "]: expected [a, b], got ", entry.dump().substr(0, 100));
        merges.emplace_back(entry.at(0).get<std::string>(), entry.at(1).get<std::string>());
      }
    }
    BpeOptions o;
    if (m.contains("unk_token") && !m.at("unk_token").is_null()) o.unk_token = m.at("unk_token").get<std::string>();
    auto str = [&](const char* key) {
      return m.contains(key) && !m.at(key).is_null() ? m.at(key).get<std::string>() : std::string();
    };
    o.continuing_subword_prefix = str("continuing_subword_prefix");
    o.end_of_word_suffix = str("end_of_word_suffix");
    auto flag = [&](const char* key) { return m.contains(key) && !m.at(key).is_null() && m.at(key).get<bool>(); };
    o.fuse_unk = flag("fuse_unk");
    o.byte_fallback = flag("byte_fallback");
    o.ignore_merges = flag("ignore_merges");
    ADALORA_CHECK(!m.contains("dropout") || m.at("dropout").is_null() || m.at("dropout").get<double>() == 0.0, where,
                  ": model.dropout: expected null (BPE dropout is for training), got ", m.at("dropout").dump());
    return std::make_shared<Bpe>(std::move(vocab), merges, o);
  }
  if (type == "Unigram") {
    std::vector<std::pair<std::string, double>> pieces;
    for (const auto& p : m.at("vocab")) pieces.emplace_back(p.at(0).get<std::string>(), p.at(1).get<double>());
    std::optional<int64_t> unk;
    if (m.contains("unk_id") && !m.at("unk_id").is_null()) unk = m.at("unk_id").get<int64_t>();
    return std::make_shared<Unigram>(pieces, unk, m.value("byte_fallback", false));
  }
  throw Error(str_cat(where, ": model: type \"", type, "\" is not supported (supported: BPE, Unigram, WordPiece)"));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TruncationStrategy truncation_strategy_from_string(const std::string& s) {
  if (s == "longest_first") return TruncationStrategy::LongestFirst;
  if (s == "only_first") return TruncationStrategy::OnlyFirst;
  if (s == "only_second") return TruncationStrategy::OnlySecond;
  throw Error(str_cat("truncation: strategy: expected longest_first, only_first or only_second, got \"", s, "\""));
}

Tokenizer::Tokenizer(TokenizerParts parts) : parts_(std::move(parts)) {
  ADALORA_CHECK(parts_.model != nullptr, "Tokenizer: expected a model, got none");
}

Tokenizer Tokenizer::from_file(const std::string& path) {
  const std::string text = read_file(path);
  check_json_depth(text, path);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(str_cat(path, ": expected JSON, got a parse error: ", e.what()));
  }
  ADALORA_CHECK(j.is_object() && j.contains("model"), path, ": expected a tokenizer.json object with \"model\"");
  try {
    TokenizerParts parts;
    parts.model = model_from_json(j.at("model"), path);
    parts.normalizer = normalizer_from_json(j.value("normalizer", json()), path);
    parts.pre_tokenizer = pre_tokenizer_from_json(j.value("pre_tokenizer", json()), path);
    parts.post_processor = post_processor_from_json(j.value("post_processor", json()), path);
    parts.decoder = decoder_from_json(j.value("decoder", json()), path);
    for (const auto& a : j.value("added_tokens", json::array())) {
      AddedToken t;
      t.id = a.at("id").get<int64_t>();
      t.content = a.at("content").get<std::string>();
      t.single_word = a.value("single_word", false);
      t.lstrip = a.value("lstrip", false);
      t.rstrip = a.value("rstrip", false);
      t.normalized = a.value("normalized", !a.value("special", false));
      t.special = a.value("special", false);
      parts.added.add(t);
    }
    return Tokenizer(std::move(parts));
  } catch (const json::exception& e) {
    throw Error(str_cat(path, ": unexpected structure: ", e.what()));
  }
}

Tokenizer Tokenizer::from_dir(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_regular_file(path)) {
    if (fs::path(path).extension() == ".json" && fs::path(path).filename() != "vocab.json") return from_file(path);
    return load_legacy(path);
  }
  ADALORA_CHECK(fs::is_directory(path), path, ": expected a tokenizer folder or file, got nothing there");
  if (fs::exists(fs::path(path) / "tokenizer.json")) return from_file((fs::path(path) / "tokenizer.json").string());
  return load_legacy(path);
}

Encoding Tokenizer::encode_sequence(std::string_view text, int64_t type_id, int32_t sequence_id) const {
  Encoding e;
  const NormalizedString original = NormalizedString::from_original(utf8_to_u32(text));
  // As HF, an added token's string is the text it matched, with any whitespace lstrip/rstrip took.
  auto emit_added = [&](const AddedSplit& s) {
    e.push(s.token->id, s.text.utf8(), s.text.original, type_id, false, sequence_id);
  };
  std::vector<NormalizedString> words;
  for (const AddedSplit& raw : parts_.added.split(original, /*normalized=*/false)) {
    if (raw.token != nullptr) {
      emit_added(raw);
      continue;
    }
    NormalizedString s = raw.text;
    if (parts_.normalizer) parts_.normalizer->normalize(s);
    for (const AddedSplit& piece : parts_.added.split(s, /*normalized=*/true)) {
      if (piece.token != nullptr) {
        emit_added(piece);
        continue;
      }
      if (piece.text.empty()) continue;
      words.clear();
      words.push_back(piece.text);
      if (parts_.pre_tokenizer) parts_.pre_tokenizer->pre_tokenize(words);
      for (const NormalizedString& w : words) {
        for (Token& t : parts_.model->tokenize(w.text)) {
          e.push(t.id, std::move(t.value), w.original_offsets(t.offsets.first, t.offsets.second), type_id, false,
                 sequence_id);
        }
      }
    }
  }
  return e;
}

Encoding Tokenizer::post_process(Encoding a, std::optional<Encoding> b, bool add_special_tokens,
                                 const std::optional<TruncationOptions>& truncation) const {
  if (truncation) {
    const size_t added = add_special_tokens ? num_special_tokens(b.has_value()) : 0;
    ADALORA_CHECK(truncation->max_length >= added, "truncation: max_length: expected at least the ", added,
                  " special tokens, got ", truncation->max_length);
    const size_t max_length = truncation->max_length - added;
    const size_t stride = truncation->stride;
    const size_t total = a.size() + (b ? b->size() : 0);
    if (max_length == 0) {
      a.truncate(0, stride);
      if (b) b->truncate(0, stride);
    } else if (total > max_length) {
      const size_t to_remove = total - max_length;
      switch (truncation->strategy) {
        case TruncationStrategy::LongestFirst:
          if (b) {
            size_t n1 = a.size(), n2 = b->size();
            const bool swap = n1 > n2;
            if (swap) std::swap(n1, n2);
            if (n1 > max_length) {
              n2 = n1;
            } else {
              n2 = std::max(n1, max_length - n1);
            }
            if (n1 + n2 > max_length) {
              n1 = max_length / 2;
              n2 = n1 + max_length % 2;
            }
            if (swap) std::swap(n1, n2);
            a.truncate(n1, stride);
            b->truncate(n2, stride);
          } else {
            a.truncate(total - to_remove, stride);
          }
          break;
        case TruncationStrategy::OnlyFirst:
        case TruncationStrategy::OnlySecond: {
          const bool first = truncation->strategy == TruncationStrategy::OnlyFirst;
          ADALORA_CHECK(first || b, "truncation: strategy only_second: expected a pair, got a single sequence");
          Encoding& target = first ? a : *b;
          ADALORA_CHECK(target.size() > to_remove, "truncation: max_length ", truncation->max_length, ": the ",
                        first ? "first" : "second", " sequence (", target.size(),
                        " tokens) is too short to remove ", to_remove, " tokens; use longest_first");
          target.truncate(target.size() - to_remove, stride);
          break;
        }
      }
    }
  }
  std::vector<Encoding> encodings;
  encodings.push_back(std::move(a));
  if (b) encodings.push_back(std::move(*b));
  if (parts_.post_processor) encodings = parts_.post_processor->process_encodings(std::move(encodings), add_special_tokens);
  Encoding merged = std::move(encodings[0]);
  for (size_t i = 1; i < encodings.size(); ++i) merged.merge_with(encodings[i]);
  return merged;
}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens,
                           const std::optional<TruncationOptions>& truncation) const {
  return post_process(encode_sequence(text, 0, 0), std::nullopt, add_special_tokens, truncation);
}

Encoding Tokenizer::encode_pair(std::string_view a, std::string_view b, bool add_special_tokens,
                                const std::optional<TruncationOptions>& truncation) const {
  return post_process(encode_sequence(a, 0, 0), encode_sequence(b, 1, 1), add_special_tokens, truncation);
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts, bool add_special_tokens,
                                              const std::optional<TruncationOptions>& truncation,
                                              int num_threads) const {
  std::vector<Encoding> out(texts.size());
  parallel_for(texts.size(), num_threads, [&](size_t i) { out[i] = encode(texts[i], add_special_tokens, truncation); });
  return out;
}

std::vector<Encoding> Tokenizer::encode_pair_batch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                   bool add_special_tokens,
                                                   const std::optional<TruncationOptions>& truncation,
                                                   int num_threads) const {
  std::vector<Encoding> out(pairs.size());
  parallel_for(pairs.size(), num_threads, [&](size_t i) {
    out[i] = encode_pair(pairs[i].first, pairs[i].second, add_special_tokens, truncation);
  });
  return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  for (int64_t id : ids) {
    const AddedToken* added = parts_.added.find(id);
    if (added != nullptr && added->special && skip_special_tokens) continue;
    auto t = id_to_token(id);
    if (t) tokens.push_back(*t);
  }
  if (!parts_.decoder) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
  }
  std::string out;
  for (const auto& s : parts_.decoder->decode_chain(std::move(tokens))) out += s;
  return out;
}

std::optional<int64_t> Tokenizer::token_to_id(const std::string& token) const {
  if (const AddedToken* a = parts_.added.find(token)) return a->id;
  return parts_.model->vocab().find(token);
}

std::optional<std::string> Tokenizer::id_to_token(int64_t id) const {
  if (const AddedToken* a = parts_.added.find(id)) return a->content;
  const auto& tokens = parts_.model->vocab().tokens;
  if (id >= 0 && static_cast<size_t>(id) < tokens.size() && !tokens[static_cast<size_t>(id)].empty()) {
    return tokens[static_cast<size_t>(id)];
  }
  return std::nullopt;
}

size_t Tokenizer::vocab_size() const {
  size_t n = parts_.model->vocab().tokens.size();
  for (const auto& a : parts_.added.tokens()) n = std::max(n, static_cast<size_t>(a.id) + 1);
  return n;
}

size_t Tokenizer::num_special_tokens(bool pair) const {
  return parts_.post_processor ? parts_.post_processor->added_tokens(pair) : 0;
}

std::optional<int64_t> Tokenizer::find_first(std::initializer_list<const char*> tokens) const {
  for (const char* t : tokens) {
    if (auto id = token_to_id(t)) return id;
  }
  return std::nullopt;
}

}  // namespace adalora::tokenizers
