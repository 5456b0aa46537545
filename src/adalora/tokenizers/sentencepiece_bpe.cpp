// SentencePiece BPE encoding (see sentencepiece_bpe.h).
#include "adalora/tokenizers/sentencepiece_bpe.h"

#include <functional>
#include <queue>

#include "adalora/core/error.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::tokenizers {
namespace {

struct Symbol {
  int prev, next;  // -1 at the ends
  bool freeze;     // a user-defined symbol: never merged
  size_t begin;    // bytes of the UTF-8 text; size 0 once merged into its left neighbour
  size_t size;
};

struct SymbolPair {
  int left, right;
  float score;  // of the merged piece
  size_t size;  // bytes of the merged piece: tells a stale entry
};

// bpe_model.cc SymbolPairComparator: the queue pops the highest score, then the leftmost.
struct PopsBefore {
  bool operator()(const SymbolPair& a, const SymbolPair& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

// "<0xXX>" (model_interface.cc ByteToPiece: upper-case hex) → the byte; -1 otherwise.
int piece_to_byte(const std::string& p) {
  if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return -1;
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  const int hi = hex(p[3]), lo = hex(p[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

SentencePieceBpe::SentencePieceBpe(const SpmModelProto& model, const std::string& where)
    : matcher_(user_defined_symbols(model)), byte_fallback_(model.byte_fallback) {
  byte_ids_.fill(-1);
  const size_t n = model.pieces.size();
  scores_.reserve(n);
  types_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const SpmPiece& p = model.pieces[i];
    const auto id = static_cast<int64_t>(i);
    ADALORA_CHECK(!p.piece.empty(), where, ": pieces[", i, "]: expected a non-empty piece");
    ADALORA_CHECK(p.type >= SpmPiece::Normal && p.type <= SpmPiece::Byte, where, ": pieces[", i,
                  "].type: expected 1..6 (NORMAL..BYTE), got ", p.type);
    if (auto seen = vocab_.find(p.piece)) {
      throw Error(str_cat(where, ": pieces[", i, "]: \"", p.piece, "\" is already defined (id ", *seen, ")"));
    }
    vocab_.add(p.piece, id);
    scores_.push_back(p.score);
    types_.push_back(p.type);
    if (p.type == SpmPiece::Unknown) {
      ADALORA_CHECK(unk_id_ < 0, where, ": pieces[", i, "]: expected one UNKNOWN piece, got a second (first: id ",
                    unk_id_, ")");
      unk_id_ = id;
    }
    if (p.type == SpmPiece::Byte) {
      ADALORA_CHECK(byte_fallback_, where, ": pieces[", i, "]: byte piece \"", p.piece,
                    "\" although trainer_spec.byte_fallback is false");
      const int b = piece_to_byte(p.piece);
      ADALORA_CHECK(b >= 0, where, ": pieces[", i, "]: expected a byte piece <0xXX>, got \"", p.piece, "\"");
      byte_ids_[static_cast<size_t>(b)] = id;
    }
  }
  ADALORA_CHECK(unk_id_ >= 0, where, ": pieces: expected one piece of type UNKNOWN (2), got none");
  if (byte_fallback_) {
    for (size_t b = 0; b < 256; ++b) {
      ADALORA_CHECK(byte_ids_[b] >= 0, where, ": pieces: trainer_spec.byte_fallback is true, expected the 256 byte "
                    "pieces, missing <0x", "0123456789ABCDEF"[b / 16], "0123456789ABCDEF"[b % 16], ">");
    }
  }
  // Views into vocab_.tokens, which no longer changes.
  for (size_t i = 0; i < n; ++i) {
    const int t = types_[i];
    const bool normal = t == SpmPiece::Normal || t == SpmPiece::UserDefined || t == SpmPiece::Unused;
    (normal ? pieces_ : reserved_).emplace(vocab_.tokens[i], static_cast<int64_t>(i));
  }
}

int64_t SentencePieceBpe::piece_to_id(std::string_view piece) const {
  if (auto it = reserved_.find(piece); it != reserved_.end()) return it->second;
  if (auto it = pieces_.find(piece); it != pieces_.end()) return it->second;
  return unk_id_;
}

std::vector<Token> SentencePieceBpe::tokenize(std::u32string_view word) const {
  if (word.empty()) return {};
  const size_t n = word.size();
  // The UTF-8 text; char_start[i]: its byte where character i starts; char_of[byte]: the reverse.
  std::string text;
  std::vector<size_t> char_start(n + 1), char_of;
  for (size_t i = 0; i < n; ++i) {
    char_start[i] = text.size();
    append_utf8(text, word[i]);
    char_of.resize(text.size(), i);
  }
  char_start[n] = text.size();
  char_of.push_back(n);
  const std::string_view all(text);

  std::vector<Symbol> symbols;
  symbols.reserve(n);
  for (size_t i = 0; i < n;) {
    size_t len = matcher_.match(word, i);
    const bool freeze = len > 0;
    if (!freeze) len = 1;
    const int index = static_cast<int>(symbols.size());
    symbols.push_back(Symbol{index - 1, index + 1, freeze, char_start[i], char_start[i + len] - char_start[i]});
    i += len;
  }
  symbols.back().next = -1;

  std::priority_queue<SymbolPair, std::vector<SymbolPair>, PopsBefore> agenda;
  // Merged UNUSED piece → the two pieces it was made of, to undo the merge at the end.
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> rev_merge;
  auto piece_of = [&](const Symbol& s) { return all.substr(s.begin, s.size); };
  auto maybe_add_pair = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const Symbol& r = symbols[static_cast<size_t>(right)];
    if (l.freeze || r.freeze) return;
    const std::string_view piece = all.substr(l.begin, l.size + r.size);
    const auto it = pieces_.find(piece);
    if (it == pieces_.end()) return;
    const auto id = static_cast<size_t>(it->second);
    agenda.push(SymbolPair{left, right, scores_[id], piece.size()});
    if (types_[id] == SpmPiece::Unused) rev_merge[piece] = {piece_of(l), piece_of(r)};
  };
  for (size_t i = 1; i < symbols.size(); ++i) maybe_add_pair(static_cast<int>(i) - 1, static_cast<int>(i));

  while (!agenda.empty()) {
    const SymbolPair top = agenda.top();
    agenda.pop();
    Symbol& l = symbols[static_cast<size_t>(top.left)];
    Symbol& r = symbols[static_cast<size_t>(top.right)];
    if (l.size == 0 || r.size == 0 || l.size + r.size != top.size) continue;  // stale
    l.size += r.size;
    l.next = r.next;
    if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = top.left;
    r.size = 0;
    maybe_add_pair(l.prev, top.left);
    maybe_add_pair(top.left, l.next);
  }

  // (bytes, id) in order; the pieces are consecutive, so their positions follow from their sizes.
  std::vector<std::pair<size_t, int64_t>> result;
  std::function<void(std::string_view)> resegment = [&](std::string_view w) {
    const int64_t id = piece_to_id(w);
    auto p = types_[static_cast<size_t>(id)] == SpmPiece::Unused ? rev_merge.find(w) : rev_merge.end();
    if (p == rev_merge.end()) {
      result.emplace_back(w.size(), id);
      return;
    }
    const auto [left, right] = p->second;
    resegment(left);
    resegment(right);
  };
  for (int i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) resegment(piece_of(symbols[static_cast<size_t>(i)]));

  std::vector<Token> out;
  out.reserve(result.size());
  size_t pos = 0;
  bool prev_unknown = false;
  for (const auto& [size, id] : result) {
    const Offsets span{char_of[pos], char_of[pos + size]};
    const bool unknown = types_[static_cast<size_t>(id)] == SpmPiece::Unknown;
    if (unknown && byte_fallback_) {
      for (size_t k = pos; k < pos + size; ++k) {
        const int64_t b = byte_ids_[static_cast<unsigned char>(text[k])];
        out.push_back(Token{b, vocab_.tokens[static_cast<size_t>(b)], span});
      }
    } else if (unknown && prev_unknown) {
      out.back().offsets.second = span.second;  // a run of unknowns is one <unk>
    } else {
      out.push_back(Token{id, vocab_.tokens[static_cast<size_t>(id)], span});
    }
    prev_unknown = unknown;
    pos += size;
  }
  return out;
}

}  // namespace adalora::tokenizers
