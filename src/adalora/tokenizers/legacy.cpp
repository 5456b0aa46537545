// Legacy tokenizer files → pipeline (see legacy.h).
#include "adalora/tokenizers/legacy.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/tokenizers/bpe.h"
#include "adalora/tokenizers/sentencepiece_bpe.h"
#include "adalora/tokenizers/sentencepiece_decoder.h"
#include "adalora/tokenizers/sentencepiece_normalizer.h"
#include "adalora/tokenizers/sentencepiece_proto.h"
#include "adalora/tokenizers/unicode.h"
#include "adalora/tokenizers/unigram.h"
#include "adalora/tokenizers/wordpiece.h"

namespace adalora::tokenizers {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  ADALORA_CHECK(in.good(), p.string(), ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json read_config(const fs::path& dir) {
  const fs::path p = dir / "tokenizer_config.json";
  if (!fs::exists(p)) return json::object();
  try {
    const std::string text = read_all(p);
    check_json_depth(text, p.string());
    json config = json::parse(text);
    ADALORA_CHECK(config.is_object(), p.string(), ": expected a JSON object, got ", config.type_name());
    return config;
  } catch (const json::exception& e) {
    throw Error(str_cat(p.string(), ": expected JSON, got a parse error: ", e.what()));
  }
}

// A tokenizer_config.json field: `fallback` when absent, else a value of T's JSON type (a token
// may also be saved as an AddedToken object, {"content": "[UNK]", ...}).
template <typename T>
T config_value(const json& config, const fs::path& dir, const char* key, T fallback) {
  if (!config.contains(key)) return fallback;
  const json& saved = config.at(key);
  const bool added_token = !std::is_same_v<T, bool> && saved.is_object() && saved.contains("content");
  const json& value = added_token ? saved.at("content") : saved;
  const bool fits = std::is_same_v<T, bool> ? value.is_boolean() : value.is_string();
  ADALORA_CHECK(fits, (dir / "tokenizer_config.json").string(), ": ", key, ": expected ",
                std::is_same_v<T, bool> ? "true or false" : "a string", ", got ", value.dump());
  return value.get<T>();
}

void add_special(AddedVocabulary& added, const Vocab& vocab, const std::string& token, bool lstrip = false) {
  if (auto id = vocab.find(token)) added.add(AddedToken{*id, token, false, lstrip, false, false, true});
}

Tokenizer load_bert(const fs::path& dir, const fs::path& vocab_file) {
  const json config = read_config(dir);
  Vocab vocab;
  std::istringstream in(read_all(vocab_file));
  std::string line;
  int64_t id = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab.add(line, id++);
  }
  ADALORA_CHECK(id > 0, vocab_file.string(), ": expected one token per line, got an empty file");
  const bool lower = config_value(config, dir, "do_lower_case", true);
  int strip = -1;  // null: follow do_lower_case (HF)
  if (config.contains("strip_accents") && !config.at("strip_accents").is_null()) {
    strip = config_value(config, dir, "strip_accents", false);
  }
  TokenizerParts parts;
  parts.normalizer =
      make_bert_normalizer(true, config_value(config, dir, "tokenize_chinese_chars", true), strip, lower);
  parts.pre_tokenizer = make_bert_pre_tokenizer();
  WordPieceOptions o;
  o.unk_token = config_value(config, dir, "unk_token", o.unk_token);
  for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) add_special(parts.added, vocab, t);
  const std::string cls = config_value(config, dir, "cls_token", std::string("[CLS]"));
  const std::string sep = config_value(config, dir, "sep_token", std::string("[SEP]"));
  auto cls_id = vocab.find(cls);
  auto sep_id = vocab.find(sep);
  ADALORA_CHECK(cls_id && sep_id, vocab_file.string(), ": expected the tokens ", cls, " and ", sep);
  parts.post_processor = make_bert_processing({cls, *cls_id}, {sep, *sep_id});
  parts.decoder = make_wordpiece_decoder("##", true);
  parts.model = std::make_shared<WordPiece>(std::move(vocab), o);
  return Tokenizer(std::move(parts));
}

Tokenizer load_byte_level_bpe(const fs::path& dir) {
  const json config = read_config(dir);
  const fs::path vocab_file = dir / "vocab.json";
  const fs::path merges_file = dir / "merges.txt";
  ADALORA_CHECK(fs::exists(merges_file), merges_file.string(), ": expected beside vocab.json, got nothing there");
  Vocab vocab;
  try {
    const std::string text = read_all(vocab_file);
    check_json_depth(text, vocab_file.string());
    vocab = vocab_from_json(json::parse(text), vocab_file.string());
  } catch (const json::exception& e) {
    throw Error(str_cat(vocab_file.string(), ": expected a JSON object token → id, got: ", e.what()));
  }
  std::vector<std::pair<std::string, std::string>> merges;
  std::istringstream in(read_all(merges_file));
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
    const auto space = line.find(' ');
    ADALORA_CHECK(space != std::string::npos, merges_file.string(), ": line ", line_no, ": expected \"a b\", got \"",
                  line, "\"");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  const bool add_prefix_space = config_value(config, dir, "add_prefix_space", false);
  TokenizerParts parts;
  parts.pre_tokenizer = make_byte_level_pre_tokenizer(add_prefix_space, true);
  parts.decoder = make_byte_level_decoder();
  const auto bos = vocab.find("<s>");
  const auto eos = vocab.find("</s>");
  if (bos && eos) {  // RoBERTa, BART
    for (const char* t : {"<s>", "<pad>", "</s>", "<unk>"}) add_special(parts.added, vocab, t);
    add_special(parts.added, vocab, "<mask>", /*lstrip=*/true);
    parts.post_processor = make_roberta_processing({"<s>", *bos}, {"</s>", *eos}, true, add_prefix_space);
  } else {  // GPT-2
    if (auto id = vocab.find("<|endoftext|>")) parts.added.add(AddedToken{*id, "<|endoftext|>", false, false, false, true, true});
    parts.post_processor = make_byte_level_processing(false, true);
  }
  BpeOptions o;
  if (vocab.find("<unk>")) o.unk_token = "<unk>";
  parts.model = std::make_shared<Bpe>(std::move(vocab), merges, o);
  return Tokenizer(std::move(parts));
}

// LLaMA/Mistral: SentencePiece's own normaliser, BPE and decoding, so that ids equal SentencePiece's
// (and HF's slow LlamaTokenizer, which calls it). As HF, the control and unknown pieces are special
// tokens (matched in the text, skipped by decode), and <s> is added in front unless
// tokenizer_config.json says add_bos_token false; </s> at the end when add_eos_token is true.
Tokenizer load_sentencepiece_bpe(const SpmModelProto& spec, const fs::path& file) {
  const std::string where = file.string();
  ADALORA_CHECK(spec.denormalizer_charsmap.empty(), where,
                ": denormalizer_spec: expected none (decoding-side normalisation is not implemented), got a charsmap");
  const json config = read_config(file.parent_path());
  TokenizerParts parts;
  parts.normalizer = make_sentencepiece_normalizer(spec, where);
  auto model = std::make_shared<SentencePieceBpe>(spec, where);
  for (const SpmPiece& p : spec.pieces) {
    if (p.type == SpmPiece::Control || p.type == SpmPiece::Unknown) add_special(parts.added, model->vocab(), p.piece);
  }
  auto flag = [&](const char* key, bool fallback) {
    return config.contains(key) && config.at(key).is_boolean() ? config.at(key).get<bool>() : fallback;
  };
  auto special = [&](int64_t id, bool wanted) -> std::optional<std::pair<std::string, int64_t>> {
    if (!wanted || id < 0) return std::nullopt;
    ADALORA_CHECK(static_cast<size_t>(id) < spec.pieces.size(), where, ": trainer_spec: special id ", id,
                  " expected below the ", spec.pieces.size(), " pieces");
    return std::make_pair(spec.pieces[static_cast<size_t>(id)].piece, id);
  };
  const auto bos = special(spec.bos_id, flag("add_bos_token", true));
  const auto eos = special(spec.eos_id, flag("add_eos_token", false));
  if (bos || eos) {  // transformers v4.40 LlamaTokenizerFast.update_post_processor
    const std::string single =
        (bos ? bos->first + ":0 " : "") + "$A:0" + (eos ? " " + eos->first + ":0" : "");
    const std::string pair =
        single + (bos ? " " + bos->first + ":1" : "") + " $B:1" + (eos ? " " + eos->first + ":1" : "");
    std::vector<std::pair<std::string, int64_t>> specials;
    if (bos) specials.push_back(*bos);
    if (eos) specials.push_back(*eos);
    parts.post_processor = make_template_processing(single, pair, specials);
  }
  parts.decoder = make_sentencepiece_decoder(spec);
  parts.model = std::move(model);
  return Tokenizer(std::move(parts));
}

Tokenizer load_sentencepiece(const fs::path& file) {
  const SpmModelProto spec = read_sentencepiece_proto(read_all(file), file.string());
  ADALORA_CHECK(!spec.pieces.empty(), file.string(), ": pieces: expected a SentencePiece model, got no pieces");
  if (spec.model_type == SpmModelProto::Bpe) return load_sentencepiece_bpe(spec, file);
  ADALORA_CHECK(spec.model_type == SpmModelProto::Unigram, file.string(),
                ": trainer_spec.model_type: expected 1 (UNIGRAM) or 2 (BPE), got ", spec.model_type,
                " (WORD and CHAR models are not supported)");
  TokenizerParts parts;
  parts.decoder = make_metaspace_decoder(U'\u2581', true);
  const bool fairseq = file.filename() == "sentencepiece.bpe.model";
  std::vector<std::pair<std::string, double>> pieces;
  int64_t unk_id = 0;
  if (fairseq) {
    pieces = {{"<s>", 0.0}, {"<pad>", 0.0}, {"</s>", 0.0}, {"<unk>", 0.0}};
    for (size_t i = 3; i < spec.pieces.size(); ++i) pieces.emplace_back(spec.pieces[i].piece, spec.pieces[i].score);
    pieces.emplace_back("<mask>", 0.0);
    unk_id = 3;
  } else {
    for (size_t i = 0; i < spec.pieces.size(); ++i) {
      pieces.emplace_back(spec.pieces[i].piece, spec.pieces[i].score);
      if (spec.pieces[i].type == 2) unk_id = static_cast<int64_t>(i);
    }
  }
  std::vector<NormalizerPtr> norms;
  if (!spec.precompiled_charsmap.empty()) {
    norms.push_back(make_precompiled_normalizer(PrecompiledCharsmap::parse(spec.precompiled_charsmap, file.string())));
  }
  norms.push_back(make_replace_normalizer(" {2,}", false, " ", file.string()));
  parts.normalizer = make_sequence_normalizer(std::move(norms));
  parts.pre_tokenizer = make_metaspace_pre_tokenizer(U'\u2581', "always", true);
  auto model = std::make_shared<Unigram>(pieces, unk_id, false);
  const Vocab& vocab = model->vocab();
  if (fairseq) {
    for (const char* t : {"<s>", "<pad>", "</s>", "<unk>"}) add_special(parts.added, vocab, t);
    add_special(parts.added, vocab, "<mask>", /*lstrip=*/true);
    parts.post_processor = make_template_processing("<s> $A </s>", "<s> $A </s> </s> $B </s>",
                                                    {{"<s>", 0}, {"</s>", 2}});
  } else {
    for (size_t i = 0; i < spec.pieces.size(); ++i) {
      if (spec.pieces[i].type == 2 || spec.pieces[i].type == 3) add_special(parts.added, vocab, spec.pieces[i].piece);
    }
    for (const char* t : {"[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"}) add_special(parts.added, vocab, t);
    const auto cls = vocab.find("[CLS]");
    const auto sep = vocab.find("[SEP]");
    const auto eos = vocab.find("</s>");
    if (cls && sep) {  // DeBERTa-v2/v3
      parts.post_processor = make_template_processing("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1",
                                                      {{"[CLS]", *cls}, {"[SEP]", *sep}});
    } else if (eos) {  // T5
      parts.post_processor = make_template_processing("$A </s>", "$A </s> $B </s>", {{"</s>", *eos}});
    }
  }
  parts.model = std::move(model);
  return Tokenizer(std::move(parts));
}

}  // namespace

Tokenizer load_legacy(const std::string& path) {
  const fs::path p(path);
  if (fs::is_regular_file(p)) {
    const std::string name = p.filename().string();
    if (name == "vocab.txt") return load_bert(p.parent_path(), p);
    if (name == "vocab.json" || name == "merges.txt") return load_byte_level_bpe(p.parent_path());
    if (p.extension() == ".model") return load_sentencepiece(p);
    throw Error(str_cat(path, ": expected tokenizer.json, vocab.txt, vocab.json, merges.txt or a SentencePiece .model"));
  }
  if (fs::exists(p / "vocab.txt")) return load_bert(p, p / "vocab.txt");
  if (fs::exists(p / "vocab.json")) return load_byte_level_bpe(p);
  for (const char* name : {"sentencepiece.bpe.model", "spm.model", "tokenizer.model", "spiece.model"}) {
    if (fs::exists(p / name)) return load_sentencepiece(p / name);
  }
  throw Error(str_cat(path, ": expected tokenizer.json, vocab.txt, vocab.json + merges.txt, or a SentencePiece model "
                            "(sentencepiece.bpe.model, spm.model, tokenizer.model, spiece.model), found none"));
}

}  // namespace adalora::tokenizers
