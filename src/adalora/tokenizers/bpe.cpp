// BPE merge loop with a priority queue (see bpe.h).
#include "adalora/tokenizers/bpe.h"

#include <cstdio>
#include <queue>

#include "adalora/core/error.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {
uint64_t pair_key(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b); }

struct Symbol {
  int64_t id;
  Offsets span;  // code points of the word
  ptrdiff_t prev, next;
  bool alive;
};

struct Merge {
  size_t pos;
  int32_t rank;
  int64_t new_id;
  bool operator<(const Merge& o) const {  // priority_queue pops the largest: invert
    return rank != o.rank ? rank > o.rank : pos > o.pos;
  }
};
}  // namespace

Bpe::Bpe(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)), cache_(new CacheShard[kCacheShards]) {
  const size_t prefix_len = options_.continuing_subword_prefix.size();
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto ia = vocab_.find(a);
    auto ib = vocab_.find(b);
    ADALORA_CHECK(ia && ib, "BPE: merges[", rank, "]: expected two vocabulary tokens, got \"", a, "\" \"", b, "\"");
    const std::string merged = a + (b.size() >= prefix_len ? b.substr(prefix_len) : b);
    auto im = vocab_.find(merged);
    ADALORA_CHECK(im, "BPE: merges[", rank, "]: expected the merged token \"", merged, "\" in the vocabulary");
    merges_.emplace(pair_key(*ia, *ib), std::make_pair(static_cast<int32_t>(rank), *im));
  }
  if (options_.unk_token) {
    ADALORA_CHECK(vocab_.find(*options_.unk_token), "BPE: unk_token: expected a vocabulary token, got \"",
                  *options_.unk_token, "\"");
  }
}

std::vector<Token> Bpe::tokenize(std::u32string_view word) const {
  if (word.empty()) return {};
  CacheShard& shard = cache_[std::hash<std::u32string_view>{}(word) % kCacheShards];
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(std::u32string(word));
    if (it != shard.entries.end()) return it->second;
  }
  std::vector<Token> tokens = tokenize_uncached(word);
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (shard.entries.size() < kCacheCapacityPerShard) shard.entries.emplace(std::u32string(word), tokens);
  }
  return tokens;
}

std::vector<Token> Bpe::tokenize_uncached(std::u32string_view word) const {
  const size_t n = word.size();
  if (options_.ignore_merges) {
    const std::string whole = u32_to_utf8(word);
    if (auto id = vocab_.find(whole)) return {Token{*id, whole, {0, n}}};
  }
  std::vector<Symbol> symbols;
  symbols.reserve(n);
  auto add = [&](int64_t id, Offsets span) {
    const auto idx = static_cast<ptrdiff_t>(symbols.size());
    symbols.push_back(Symbol{id, span, idx - 1, idx + 1, true});
  };
  bool has_unk = false;
  int64_t unk_token_id = 0;
  Offsets unk_span{0, 0};
  const std::optional<int64_t> unk_id = options_.unk_token ? vocab_.find(*options_.unk_token) : std::nullopt;
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.clear();
    if (i > 0) s = options_.continuing_subword_prefix;
    append_utf8(s, word[i]);
    if (i + 1 == n) s += options_.end_of_word_suffix;
    if (auto id = vocab_.find(s)) {
      if (has_unk) {
        add(unk_token_id, unk_span);
        has_unk = false;
      }
      add(*id, {i, i + 1});
      continue;
    }
    if (options_.byte_fallback) {
      std::vector<int64_t> byte_ids;
      char code[8];
      for (char ch : s) {
        std::snprintf(code, sizeof(code), "<0x%02X>", static_cast<unsigned char>(ch));
        auto id = vocab_.find(code);
        if (!id) break;
        byte_ids.push_back(*id);
      }
      if (byte_ids.size() == s.size()) {
        if (has_unk) {
          add(unk_token_id, unk_span);
          has_unk = false;
        }
        for (int64_t id : byte_ids) add(id, {i, i + 1});
        continue;
      }
    }
    if (unk_id) {
      if (has_unk && options_.fuse_unk) {
        unk_span.second = i + 1;
      } else {
        if (has_unk) add(unk_token_id, unk_span);
        has_unk = true;
        unk_token_id = *unk_id;
        unk_span = {i, i + 1};
      }
    }
  }
  if (has_unk) add(unk_token_id, unk_span);
  if (!symbols.empty()) symbols.back().next = -1;

  std::priority_queue<Merge> queue;
  auto push_pair = [&](size_t left) {
    const ptrdiff_t right = symbols[left].next;
    if (right < 0) return;
    auto it = merges_.find(pair_key(symbols[left].id, symbols[static_cast<size_t>(right)].id));
    if (it != merges_.end()) queue.push(Merge{left, it->second.first, it->second.second});
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) push_pair(i);
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    auto it = merges_.find(pair_key(left.id, right.id));
    if (it == merges_.end() || it->second.second != top.new_id) continue;
    left.id = top.new_id;
    left.span.second = right.span.second;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = static_cast<ptrdiff_t>(top.pos);
    if (left.prev >= 0) push_pair(static_cast<size_t>(left.prev));
    push_pair(top.pos);
  }
  std::vector<Token> out;
  for (const Symbol& sym : symbols) {
    if (sym.alive) out.push_back(Token{sym.id, vocab_.tokens[static_cast<size_t>(sym.id)], sym.span});
  }
  return out;
}

}  // namespace adalora::tokenizers
