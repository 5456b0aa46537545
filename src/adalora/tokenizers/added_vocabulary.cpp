// Added-token matching (see added_vocabulary.h).
#include "adalora/tokenizers/added_vocabulary.h"

#include <algorithm>

#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {
bool is_word(char32_t c) { return is_word_char(c) || c == '_'; }
}  // namespace

void AddedVocabulary::add(AddedToken token) {
  if (token.content.empty()) return;
  auto it = by_content_.find(token.content);
  size_t index;
  if (it != by_content_.end()) {
    index = it->second;
    tokens_[index] = token;
  } else {
    index = tokens_.size();
    tokens_.push_back(token);
    content32_.push_back(utf8_to_u32(token.content));
    by_content_[token.content] = index;
  }
  by_id_[token.id] = index;
  for (auto& m : by_first_) {
    for (auto& [c, list] : m) list.erase(std::remove(list.begin(), list.end(), index), list.end());
  }
  auto& list = by_first_[token.normalized ? 1 : 0][content32_[index][0]];
  list.push_back(index);
  std::stable_sort(list.begin(), list.end(),
                   [&](size_t a, size_t b) { return content32_[a].size() > content32_[b].size(); });
}

const AddedToken* AddedVocabulary::find(const std::string& content) const {
  auto it = by_content_.find(content);
  return it == by_content_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedVocabulary::find(int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

std::vector<AddedSplit> AddedVocabulary::split(const NormalizedString& s, bool normalized) const {
  const auto& first = by_first_[normalized ? 1 : 0];
  std::vector<AddedSplit> out;
  if (first.empty() || s.empty()) {
    out.push_back({s, nullptr});
    return out;
  }
  const std::u32string& t = s.text;
  const size_t n = t.size();
  size_t done = 0;  // end of the last emitted split
  size_t i = 0;
  while (i < n) {
    auto it = first.find(t[i]);
    const AddedToken* match = nullptr;
    size_t len = 0;
    if (it != first.end()) {
      for (size_t index : it->second) {
        const std::u32string& c = content32_[index];
        if (t.compare(i, c.size(), c) == 0) {
          match = &tokens_[index];
          len = c.size();
          break;
        }
      }
    }
    if (match == nullptr) {
      ++i;
      continue;
    }
    size_t start = i, stop = i + len;
    if (match->single_word) {
      const bool start_ok = start == 0 || !is_word(t[start - 1]);
      const bool stop_ok = stop == n || !is_word(t[stop]);
      if (!start_ok || !stop_ok) {
        i += len;  // as HF's matcher, the search resumes after the rejected match
        continue;
      }
    }
    if (match->lstrip) {
      size_t b = start;
      while (b > done && is_whitespace(t[b - 1])) --b;
      start = b;
    }
    if (match->rstrip) {
      while (stop < n && is_whitespace(t[stop])) ++stop;
    }
    if (start > done) out.push_back({s.slice(done, start), nullptr});
    out.push_back({s.slice(start, stop), match});
    done = stop;
    i = stop;
  }
  if (done < n) out.push_back({s.slice(done, n), nullptr});
  return out;
}

}  // namespace adalora::tokenizers
