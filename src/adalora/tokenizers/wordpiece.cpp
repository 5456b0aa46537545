// WordPiece greedy longest match (see wordpiece.h).
#include "adalora/tokenizers/wordpiece.h"

#include "adalora/core/error.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {

WordPiece::WordPiece(Vocab vocab, WordPieceOptions options) : vocab_(std::move(vocab)), options_(std::move(options)) {
  auto unk = vocab_.find(options_.unk_token);
  ADALORA_CHECK(unk.has_value(), "WordPiece: unk_token: expected a token of the vocabulary, got \"",
                options_.unk_token, "\"");
  unk_id_ = *unk;
}

std::vector<Token> WordPiece::tokenize(std::u32string_view word) const {
  const size_t n = word.size();
  if (n > options_.max_input_chars_per_word) return {Token{unk_id_, options_.unk_token, {0, n}}};
  // UTF-8 byte position of each code point, to cut substrings cheaply.
  const std::string utf8 = u32_to_utf8(word);
  std::vector<size_t> byte_at(n + 1, 0);
  for (size_t i = 0, b = 0; i < n; ++i) {
    byte_at[i] = b;
    b += word[i] < 0x80 ? 1 : word[i] < 0x800 ? 2 : word[i] < 0x10000 ? 3 : 4;
    byte_at[i + 1] = b;
  }
  std::vector<Token> out;
  size_t start = 0;
  std::string candidate;
  while (start < n) {
    size_t end = n;
    bool found = false;
    while (start < end) {
      candidate.clear();
      if (start > 0) candidate = options_.continuing_subword_prefix;
      candidate.append(utf8, byte_at[start], byte_at[end] - byte_at[start]);
      if (auto id = vocab_.find(candidate)) {
        out.push_back(Token{*id, candidate, {start, end}});
        found = true;
        break;
      }
      --end;
    }
    if (!found) return {Token{unk_id_, options_.unk_token, {0, n}}};
    start = end;
  }
  return out;
}

}  // namespace adalora::tokenizers
