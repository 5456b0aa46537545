// Encoding truncation windows and merging (see encoding.h).
#include "adalora/tokenizers/encoding.h"

#include <algorithm>

#include "adalora/core/error.h"

namespace adalora::tokenizers {

void Encoding::push(int64_t id, std::string token, std::pair<size_t, size_t> offset, int64_t type_id, bool special,
                    int32_t sequence_id) {
  ids.push_back(id);
  type_ids.push_back(type_id);
  tokens.push_back(std::move(token));
  offsets.push_back(offset);
  attention_mask.push_back(1);
  special_tokens_mask.push_back(special ? 1 : 0);
  sequence_ids.push_back(sequence_id);
}

namespace {
Encoding window(const Encoding& e, size_t begin, size_t end) {
  Encoding w;
  auto cut = [&](const auto& v) {
    return std::decay_t<decltype(v)>(v.begin() + static_cast<std::ptrdiff_t>(begin),
                                     v.begin() + static_cast<std::ptrdiff_t>(end));
  };
  w.ids = cut(e.ids);
  w.type_ids = cut(e.type_ids);
  w.tokens = cut(e.tokens);
  w.offsets = cut(e.offsets);
  w.attention_mask = cut(e.attention_mask);
  w.special_tokens_mask = cut(e.special_tokens_mask);
  w.sequence_ids = cut(e.sequence_ids);
  return w;
}

void append(Encoding& to, const Encoding& from) {
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(to.ids, from.ids);
  cat(to.type_ids, from.type_ids);
  cat(to.tokens, from.tokens);
  cat(to.offsets, from.offsets);
  cat(to.attention_mask, from.attention_mask);
  cat(to.special_tokens_mask, from.special_tokens_mask);
  cat(to.sequence_ids, from.sequence_ids);
}
}  // namespace

void Encoding::truncate(size_t max_length, size_t stride) {
  const size_t n = ids.size();
  if (max_length >= n) return;
  if (max_length == 0) {
    Encoding all = std::move(*this);
    *this = Encoding{};
    overflowing.push_back(std::move(all));
    return;
  }
  ADALORA_CHECK(stride < max_length, "truncation: stride: expected less than the length left for this sequence (",
                max_length, "), got ", stride);
  const size_t step = max_length - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  for (size_t start = 0; start < n; start += step) {
    const size_t stop = std::min(start + max_length, n);
    parts.emplace_back(start, stop);
    if (stop == n) break;
  }
  Encoding first = window(*this, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) first.overflowing.push_back(window(*this, parts[i].first, parts[i].second));
  *this = std::move(first);
}

void Encoding::merge_with(const Encoding& other) {
  std::vector<Encoding> combined;
  for (const Encoding& mine : overflowing) {
    Encoding a = mine;
    a.merge_with(other);
    combined.push_back(std::move(a));
    for (const Encoding& theirs : other.overflowing) {
      Encoding b = mine;
      b.merge_with(theirs);
      combined.push_back(std::move(b));
    }
  }
  for (const Encoding& theirs : other.overflowing) {
    Encoding c = *this;  // with its own windows, which nest (as HF's self.clone())
    c.merge_with(theirs);
    combined.push_back(std::move(c));
  }
  append(*this, other);
  overflowing = std::move(combined);
}

}  // namespace adalora::tokenizers
