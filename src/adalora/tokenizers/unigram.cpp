// Unigram Viterbi (see unigram.h).
#include "adalora/tokenizers/unigram.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "adalora/core/error.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {

Unigram::Unigram(const std::vector<std::pair<std::string, double>>& pieces, std::optional<int64_t> unk_id,
                 bool byte_fallback)
    : unk_id_(unk_id), byte_fallback_(byte_fallback) {
  min_score_ = std::numeric_limits<double>::infinity();
  scores_.reserve(pieces.size());
  sorted_.reserve(pieces.size());
  for (size_t id = 0; id < pieces.size(); ++id) {
    vocab_.add(pieces[id].first, static_cast<int64_t>(id));
    scores_.push_back(pieces[id].second);
    min_score_ = std::min(min_score_, pieces[id].second);
    if (!pieces[id].first.empty()) sorted_.emplace_back(pieces[id].first, static_cast<int64_t>(id));
  }
  std::sort(sorted_.begin(), sorted_.end());
  if (unk_id_) {
    ADALORA_CHECK(*unk_id_ >= 0 && static_cast<size_t>(*unk_id_) < pieces.size(), "Unigram: unk_id: expected an id below ",
                  pieces.size(), ", got ", *unk_id_);
  }
}

std::vector<Token> Unigram::tokenize(std::u32string_view word) const {
  if (word.empty()) return {};
  const std::string s = u32_to_utf8(word);
  const size_t size = s.size();
  const double unk_score = min_score_ - 10.0;
  struct Node {
    int64_t id = 0;
    double score = 0;
    ptrdiff_t starts_at = -1;
  };
  std::vector<Node> best(size + 1);
  auto char_len = [](unsigned char b) -> size_t { return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; };
  size_t start = 0;
  while (start < size) {
    const double here = best[start].score;
    const size_t mblen = std::min(char_len(static_cast<unsigned char>(s[start])), size - start);
    bool has_single = false;
    // Narrow [lo, hi) of sorted_ to the pieces that start with s[start, start + k).
    auto lo = sorted_.begin();
    auto hi = sorted_.end();
    for (size_t k = 0; start + k < size && lo != hi; ++k) {
      const auto c = static_cast<unsigned char>(s[start + k]);
      auto key = [k](const std::pair<std::string, int64_t>& p) -> int {
        return p.first.size() > k ? static_cast<unsigned char>(p.first[k]) : -1;
      };
      lo = std::lower_bound(lo, hi, static_cast<int>(c), [&](const auto& p, int v) { return key(p) < v; });
      hi = std::upper_bound(lo, hi, static_cast<int>(c), [&](int v, const auto& p) { return v < key(p); });
      if (lo == hi) break;
      if (lo->first.size() == k + 1) {  // a whole piece
        const size_t end = start + k + 1;
        const double candidate = here + scores_[static_cast<size_t>(lo->second)];
        Node& target = best[end];
        if (target.starts_at < 0 || candidate > target.score) {
          target = Node{lo->second, candidate, static_cast<ptrdiff_t>(start)};
        }
        if (k + 1 == mblen) has_single = true;
      }
    }
    if (!has_single) {
      Node& target = best[start + mblen];
      const double candidate = here + unk_score;
      if (target.starts_at < 0 || candidate > target.score) {
        ADALORA_CHECK(unk_id_, "Unigram: a character has no piece and the model has no unk_id");
        target = Node{*unk_id_, candidate, static_cast<ptrdiff_t>(start)};
      }
    }
    start += mblen;
  }
  // Backtrack; consecutive unknowns fuse.
  std::vector<std::pair<size_t, size_t>> spans;  // byte spans
  std::vector<bool> is_unk;
  size_t end = size;
  while (end > 0) {
    const Node& node = best[end];
    const auto begin = static_cast<size_t>(node.starts_at);
    const bool unk = unk_id_ && node.id == *unk_id_;
    if (unk && !is_unk.empty() && is_unk.back()) {
      spans.back().first = begin;
    } else {
      spans.emplace_back(begin, end);
      is_unk.push_back(unk);
    }
    end = begin;
  }
  std::reverse(spans.begin(), spans.end());
  std::vector<Token> out;
  out.reserve(spans.size());
  size_t cp = 0;
  for (const auto& [b, e] : spans) {
    std::string piece = s.substr(b, e - b);
    const size_t len = utf8_length(piece);
    const Offsets offsets{cp, cp + len};
    cp += len;
    if (auto id = vocab_.find(piece)) {
      out.push_back(Token{*id, std::move(piece), offsets});
      continue;
    }
    if (byte_fallback_) {
      std::vector<Token> bytes;
      char code[8];
      for (char ch : piece) {
        std::snprintf(code, sizeof(code), "<0x%02X>", static_cast<unsigned char>(ch));
        auto id = vocab_.find(code);
        if (!id) break;
        bytes.push_back(Token{*id, code, offsets});
      }
      if (bytes.size() == piece.size()) {
        out.insert(out.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    ADALORA_CHECK(unk_id_, "Unigram: the piece \"", piece, "\" is unknown and the model has no unk_id");
    out.push_back(Token{*unk_id_, std::move(piece), offsets});
  }
  return out;
}

}  // namespace adalora::tokenizers
