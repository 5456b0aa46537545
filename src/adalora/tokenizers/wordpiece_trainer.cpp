// WordPiece vocabulary training (see wordpiece_trainer.h). Words are counted once; merges then run
// over the table of distinct words with incremental pair counts, a pair → words index and a lazy
// max-heap, as HF's BPE trainer does, so a merge costs the words that contain the pair, not the
// corpus.
#include "adalora/tokenizers/wordpiece_trainer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <thread>
#include <unordered_set>

#include "adalora/core/error.h"
#include "adalora/tokenizers/normalizers.h"
#include "adalora/tokenizers/pre_tokenizers.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using WordCounts = std::unordered_map<std::string, uint64_t>;

constexpr size_t kFeedChunkLines = 65536;

// Counts the words of texts[begin, end) into `counts`.
void count_words(const std::vector<std::string>& texts, size_t begin, size_t end,
                 const Normalizer& normalizer, const PreTokenizer& pre_tokenizer, size_t max_chars,
                 WordCounts& counts) {
  std::vector<NormalizedString> pieces;
  for (size_t i = begin; i < end; ++i) {
    NormalizedString s = NormalizedString::from_original(utf8_to_u32(texts[i]));
    normalizer.normalize(s);
    pieces.clear();
    pieces.push_back(std::move(s));
    pre_tokenizer.pre_tokenize(pieces);
    for (const NormalizedString& w : pieces) {
      if (w.empty() || w.size() > max_chars) continue;
      ++counts[u32_to_utf8(w.text)];
    }
  }
}

// A pair of symbol ids packed into one key.
uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}
int32_t first_of(uint64_t key) { return static_cast<int32_t>(key >> 32); }
int32_t second_of(uint64_t key) { return static_cast<int32_t>(key & 0xffffffffu); }

// The merge loop's state: the symbols of every distinct word, pair counts, and which words hold a
// pair.
class Merger {
 public:
  Merger(std::vector<std::string>& tokens, std::unordered_map<std::string, int32_t>& ids,
         const std::string& prefix)
      : tokens_(tokens), ids_(ids), prefix_(prefix) {}

  void add_word(std::vector<int32_t> symbols, uint64_t count) {
    const auto w = static_cast<uint32_t>(words_.size());
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const uint64_t p = pair_key(symbols[i], symbols[i + 1]);
      pair_counts_[p] += static_cast<int64_t>(count);
      where_[p].insert(w);
    }
    words_.push_back(std::move(symbols));
    counts_.push_back(count);
  }

  // Merges until the vocabulary has `vocab_size` tokens or the best pair is rarer than
  // `min_frequency`.
  void run(size_t vocab_size, uint64_t min_frequency) {
    for (const auto& [p, c] : pair_counts_) {
      if (c > 0) heap_.push({c, p});
    }
    while (tokens_.size() < vocab_size && !heap_.empty()) {
      const Entry top = heap_.top();
      heap_.pop();
      const auto it = pair_counts_.find(top.pair);
      const int64_t current = it == pair_counts_.end() ? 0 : it->second;
      if (current != top.count) {  // stale entry: re-queue with the current count
        if (current > 0) heap_.push({current, top.pair});
        continue;
      }
      if (static_cast<uint64_t>(current) < std::max<uint64_t>(min_frequency, 1)) break;
      merge(top.pair);
    }
  }

 private:
  struct Entry {
    int64_t count;
    uint64_t pair;
  };
  // Max-heap on count; equal counts: the smaller (a, b) by string first (deterministic, hash-free).
  struct Less {
    const std::vector<std::string>* tokens;
    bool operator()(const Entry& x, const Entry& y) const {
      if (x.count != y.count) return x.count < y.count;
      const std::string& xa = (*tokens)[first_of(x.pair)];
      const std::string& ya = (*tokens)[first_of(y.pair)];
      if (xa != ya) return xa > ya;
      return (*tokens)[second_of(x.pair)] > (*tokens)[second_of(y.pair)];
    }
  };

  void merge(uint64_t pair) {
    const int32_t a = first_of(pair);
    const int32_t b = second_of(pair);
    std::string b_part = tokens_[b];
    if (b_part.compare(0, prefix_.size(), prefix_) == 0) b_part.erase(0, prefix_.size());
    const std::string merged = tokens_[a] + b_part;
    int32_t n;
    if (auto found = ids_.find(merged); found != ids_.end()) {
      n = found->second;  // two pairs can spell the same token: ("a", "##bc") and ("ab", "##c")
    } else {
      n = static_cast<int32_t>(tokens_.size());
      tokens_.push_back(merged);
      ids_.emplace(merged, n);
    }

    std::vector<uint32_t> holders(where_[pair].begin(), where_[pair].end());
    std::sort(holders.begin(), holders.end());
    std::unordered_set<uint64_t> grown;
    auto add = [&](uint64_t p, int64_t delta, uint32_t w) {
      pair_counts_[p] += delta;
      if (delta > 0) {
        where_[p].insert(w);
        grown.insert(p);
      }
    };
    for (uint32_t w : holders) {
      std::vector<int32_t>& s = words_[w];
      const auto c = static_cast<int64_t>(counts_[w]);
      for (size_t i = 0; i + 1 < s.size();) {
        if (s[i] != a || s[i + 1] != b) {
          ++i;
          continue;
        }
        if (i > 0) {
          add(pair_key(s[i - 1], a), -c, w);
          add(pair_key(s[i - 1], n), c, w);
        }
        if (i + 2 < s.size()) {
          add(pair_key(b, s[i + 2]), -c, w);
          add(pair_key(n, s[i + 2]), c, w);
        }
        add(pair, -c, w);
        s[i] = n;
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        ++i;
      }
    }
    where_.erase(pair);
    pair_counts_.erase(pair);
    // Sorted so that the heap sees the same pushes in the same order on every run.
    std::vector<uint64_t> order(grown.begin(), grown.end());
    std::sort(order.begin(), order.end());
    for (uint64_t p : order) {
      const int64_t c = pair_counts_[p];
      if (c > 0) heap_.push({c, p});
    }
  }

  std::vector<std::string>& tokens_;
  std::unordered_map<std::string, int32_t>& ids_;
  const std::string& prefix_;
  std::vector<std::vector<int32_t>> words_;
  std::vector<uint64_t> counts_;
  std::unordered_map<uint64_t, int64_t> pair_counts_;
  std::unordered_map<uint64_t, std::unordered_set<uint32_t>> where_;
  std::priority_queue<Entry, std::vector<Entry>, Less> heap_{Less{&tokens_}};
};

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  ADALORA_CHECK(out.good(), path.string(), ": cannot open the file for writing");
  out << text;
  out.flush();
  ADALORA_CHECK(out.good(), path.string(), ": write failed");
}

}  // namespace

WordPieceTrainer::WordPieceTrainer(WordPieceTrainerOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  ADALORA_CHECK(
      !o.continuing_subword_prefix.empty(),
      "WordPieceTrainer: continuing_subword_prefix: expected a non-empty string, got \"\"");
  ADALORA_CHECK(o.max_input_chars_per_word > 0,
                "WordPieceTrainer: max_input_chars_per_word: expected > 0, got 0");
  std::unordered_set<std::string> seen;
  for (const std::string& t : o.special_tokens) {
    ADALORA_CHECK(!t.empty() && seen.insert(t).second,
                  "WordPieceTrainer: special_tokens: expected distinct non-empty tokens, got \"", t,
                  "\" twice or empty");
  }
  for (const std::string* t : {&o.unk_token, &o.cls_token, &o.sep_token}) {
    ADALORA_CHECK(seen.count(*t), "WordPieceTrainer: special_tokens: expected to contain \"", *t,
                  "\" (unk/cls/sep token), got ", o.special_tokens.size(), " tokens without it");
  }
}

void WordPieceTrainer::feed(const std::vector<std::string>& texts) {
  const NormalizerPtr normalizer = make_bert_normalizer(
      /*clean_text=*/true, options_.handle_chinese_chars, /*strip_accents=*/-1, options_.lowercase);
  const PreTokenizerPtr pre_tokenizer = make_bert_pre_tokenizer();
  size_t threads = options_.num_threads > 0 ? static_cast<size_t>(options_.num_threads)
                                            : std::max(1u, std::thread::hardware_concurrency());
  threads = std::max<size_t>(1, std::min(threads, texts.size() / 256 + 1));
  std::vector<WordCounts> partial(threads);
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  const size_t per = (texts.size() + threads - 1) / threads;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        const size_t begin = std::min(texts.size(), t * per);
        count_words(texts, begin, std::min(texts.size(), begin + per), *normalizer, *pre_tokenizer,
                    options_.max_input_chars_per_word, partial[t]);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (const WordCounts& counts : partial) {
    for (const auto& [word, c] : counts) word_counts_[word] += c;
  }
}

void WordPieceTrainer::feed_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": cannot open the file");
  std::vector<std::string> chunk;
  chunk.reserve(kFeedChunkLines);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    chunk.push_back(std::move(line));
    if (chunk.size() == kFeedChunkLines) {
      feed(chunk);
      chunk.clear();
    }
  }
  ADALORA_CHECK(in.eof(), path, ": read failed");
  if (!chunk.empty()) feed(chunk);
}

std::vector<std::string> WordPieceTrainer::train() const {
  const auto& o = options_;
  // Words in a fixed order (by string), so nothing below depends on hash-map iteration.
  std::vector<std::pair<std::u32string, uint64_t>> words;
  words.reserve(word_counts_.size());
  {
    std::vector<const std::pair<const std::string, uint64_t>*> sorted;
    sorted.reserve(word_counts_.size());
    for (const auto& entry : word_counts_) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->first < y->first; });
    for (const auto* entry : sorted) words.emplace_back(utf8_to_u32(entry->first), entry->second);
  }

  // The alphabet: every character (or the limit_alphabet most frequent), in code-point order.
  std::map<char32_t, uint64_t> char_counts;
  for (const auto& [w, c] : words) {
    for (char32_t ch : w) char_counts[ch] += c;
  }
  std::vector<std::pair<char32_t, uint64_t>> alphabet(char_counts.begin(), char_counts.end());
  if (o.limit_alphabet > 0 && alphabet.size() > o.limit_alphabet) {
    std::stable_sort(alphabet.begin(), alphabet.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    alphabet.resize(o.limit_alphabet);
    std::sort(alphabet.begin(), alphabet.end());
  }
  std::unordered_set<char32_t> kept;
  for (const auto& [ch, c] : alphabet) kept.insert(ch);

  std::vector<std::string> tokens;
  std::unordered_map<std::string, int32_t> ids;
  auto add_token = [&](const std::string& t) {
    if (ids.emplace(t, static_cast<int32_t>(tokens.size())).second) tokens.push_back(t);
  };
  for (const std::string& t : o.special_tokens) add_token(t);
  for (const auto& [ch, c] : alphabet) add_token(u32_to_utf8(std::u32string(1, ch)));
  std::map<char32_t, bool> inner;  // characters seen after a word's first (kept) character
  for (const auto& [w, c] : words) {
    bool first = true;
    for (char32_t ch : w) {
      if (!kept.count(ch)) continue;
      if (!first) inner[ch] = true;
      first = false;
    }
  }
  for (const auto& [ch, yes] : inner)
    add_token(o.continuing_subword_prefix + u32_to_utf8(std::u32string(1, ch)));
  ADALORA_CHECK(tokens.size() <= o.vocab_size, "WordPieceTrainer: vocab_size: expected at least ",
                tokens.size(), " (", o.special_tokens.size(), " special tokens + ", alphabet.size(),
                " characters + ", inner.size(), " continuation characters), got ", o.vocab_size,
                "; raise vocab_size or set limit_alphabet");

  Merger merger(tokens, ids, o.continuing_subword_prefix);
  for (const auto& [w, c] : words) {
    std::vector<int32_t> symbols;
    symbols.reserve(w.size());
    for (char32_t ch : w) {
      if (!kept.count(ch)) continue;
      const std::string s = u32_to_utf8(std::u32string(1, ch));
      symbols.push_back(ids.at(symbols.empty() ? s : o.continuing_subword_prefix + s));
    }
    if (!symbols.empty()) merger.add_word(std::move(symbols), c);
  }
  merger.run(o.vocab_size, o.min_frequency);
  return tokens;
}

void save_wordpiece_tokenizer(const std::string& dir, const std::vector<std::string>& vocab,
                              const WordPieceTrainerOptions& o) {
  std::unordered_map<std::string, int64_t> id_of;
  for (size_t i = 0; i < vocab.size(); ++i) {
    ADALORA_CHECK(id_of.emplace(vocab[i], static_cast<int64_t>(i)).second, dir, ": vocab[", i,
                  "]: expected distinct tokens, got \"", vocab[i], "\" again");
  }
  auto id = [&](const std::string& token) {
    auto it = id_of.find(token);
    ADALORA_CHECK(it != id_of.end(), dir, ": expected the token \"", token,
                  "\" in the vocabulary, got none");
    return it->second;
  };
  std::error_code ec;
  fs::create_directories(dir, ec);
  ADALORA_CHECK(!ec, dir, ": cannot create the folder: ", ec.message());

  ojson added = ojson::array();
  for (const std::string& t : o.special_tokens) {
    added.push_back({{"id", id(t)},
                     {"content", t},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  auto special = [](const std::string& t, int type_id) {
    return ojson{{"SpecialToken", {{"id", t}, {"type_id", type_id}}}};
  };
  auto sequence = [](const char* s, int type_id) {
    return ojson{{"Sequence", {{"id", s}, {"type_id", type_id}}}};
  };
  ojson specials = ojson::object();
  for (const std::string* t : {&o.cls_token, &o.sep_token}) {
    specials[*t] = {{"id", *t}, {"ids", {id(*t)}}, {"tokens", {*t}}};
  }
  ojson model_vocab = ojson::object();
  for (size_t i = 0; i < vocab.size(); ++i) model_vocab[vocab[i]] = i;

  ojson tokenizer = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", o.handle_chinese_chars},
        {"strip_accents", nullptr},
        {"lowercase", o.lowercase}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {special(o.cls_token, 0), sequence("A", 0), special(o.sep_token, 0)}},
        {"pair",
         {special(o.cls_token, 0), sequence("A", 0), special(o.sep_token, 0), sequence("B", 1),
          special(o.sep_token, 1)}},
        {"special_tokens", specials}}},
      {"decoder",
       {{"type", "WordPiece"}, {"prefix", o.continuing_subword_prefix}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", o.unk_token},
        {"continuing_subword_prefix", o.continuing_subword_prefix},
        {"max_input_chars_per_word", o.max_input_chars_per_word},
        {"vocab", model_vocab}}},
  };
  const fs::path root(dir);
  write_text(root / "tokenizer.json", tokenizer.dump(2) + "\n");

  std::string lines;
  for (const std::string& t : vocab) lines += t + "\n";
  write_text(root / "vocab.txt", lines);

  ojson special_map = ojson::object();
  for (const auto& [key, t] :
       {std::pair<const char*, const std::string*>{"unk_token", &o.unk_token},
        {"sep_token", &o.sep_token},
        {"pad_token", &o.pad_token},
        {"cls_token", &o.cls_token},
        {"mask_token", &o.mask_token}}) {
    if (id_of.count(*t)) special_map[key] = *t;
  }
  write_text(root / "special_tokens_map.json", special_map.dump(2) + "\n");

  ojson config = {{"tokenizer_class", "BertTokenizer"},
                  {"do_lower_case", o.lowercase},
                  {"strip_accents", nullptr},
                  {"tokenize_chinese_chars", o.handle_chinese_chars},
                  {"model_max_length", o.model_max_length},
                  {"clean_up_tokenization_spaces", true}};
  for (const auto& [key, value] : special_map.items()) config[key] = value;
  write_text(root / "tokenizer_config.json", config.dump(2) + "\n");
}

}  // namespace adalora::tokenizers
