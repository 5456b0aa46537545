// SentencePiece BPE .model files against SentencePiece itself. Every model in
// tests/fixtures/tokenizers/spm_bpe (trained, and answered with spm_encode / spm_decode of Debian's
// sentencepiece 0.1.97, by tools/make_spm_bpe_fixtures.sh) must encode every line of cases.txt to
// spm_encode's ids, id for id, and decode those ids to spm_decode's text; a model without its
// answer files fails. Also: hand-built models for what trained ones rarely show (ties, UNUSED
// pieces, frozen user-defined symbols), the HF conventions around the model (BOS, special tokens
// in the text, offsets), and the errors of malformed files.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/tokenizers/sentencepiece_bpe.h"
#include "adalora/tokenizers/sentencepiece_decoder.h"
#include "adalora/tokenizers/sentencepiece_normalizer.h"
#include "adalora/tokenizers/sentencepiece_proto.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/tokenizers/unicode.h"
#include "tests/support/golden.h"

namespace adalora::tokenizers {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(ADALORA_SOURCE_DIR) / "tests/fixtures/tokenizers/spm_bpe";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in.good()) throw Error(p.string() + ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of a file, each without its '\n' (the last line ends with one).
std::vector<std::string> read_lines(const fs::path& p) {
  const std::string all = read_bytes(p);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end = all.find('\n'); end != std::string::npos; end = all.find('\n', start)) {
    lines.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  if (start < all.size()) lines.push_back(all.substr(start));
  return lines;
}

std::vector<int64_t> parse_ids(const std::string& line) {
  std::istringstream in(line);
  std::vector<int64_t> ids;
  for (int64_t id; in >> id;) ids.push_back(id);
  return ids;
}

std::string show(const std::vector<int64_t>& ids) {
  std::string s;
  for (int64_t id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return "[" + s + "]";
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() == ".model") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// One model with SentencePiece's answers for every case.
struct SpmCase {
  std::string name;
  SpmModelProto proto;
  std::vector<std::string> texts, ids, pieces, decoded;
};

SpmCase load_case(const std::string& name) {
  SpmCase c;
  c.name = name;
  const fs::path model = kDir / (name + ".model");
  c.proto = read_sentencepiece_proto(read_bytes(model), model.string());
  c.texts = read_lines(kDir / "cases.txt");
  c.ids = read_lines(kDir / (name + ".ids"));
  c.pieces = read_lines(kDir / (name + ".pieces"));
  c.decoded = read_lines(kDir / (name + ".decoded"));
  return c;
}

class SpmFixtureTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    c_ = load_case(GetParam());
    ASSERT_GE(c_.texts.size(), 40u);
    ASSERT_EQ(c_.ids.size(), c_.texts.size()) << GetParam() << ".ids: one line per case expected";
    ASSERT_EQ(c_.pieces.size(), c_.texts.size()) << GetParam() << ".pieces: one line per case expected";
    ASSERT_EQ(c_.decoded.size(), c_.texts.size()) << GetParam() << ".decoded: one line per case expected";
    ASSERT_EQ(c_.proto.model_type, SpmModelProto::Bpe);
  }
  std::string describe(size_t i) const {
    return str_cat(GetParam(), " case ", i + 1, " \"", c_.texts[i], "\" (SentencePiece's pieces: ", c_.pieces[i], ")");
  }
  SpmCase c_;
};

// The normaliser and the model alone, on every case (control and unknown pieces' text included).
TEST_P(SpmFixtureTest, NormalizerAndModelEqualSpmEncode) {
  const auto normalizer = make_sentencepiece_normalizer(c_.proto, GetParam());
  const SentencePieceBpe model(c_.proto, GetParam());
  size_t failed = 0;
  for (size_t i = 0; i < c_.texts.size(); ++i) {
    NormalizedString s = NormalizedString::from_original(utf8_to_u32(c_.texts[i]));
    normalizer->normalize(s);
    std::vector<int64_t> got;
    std::string pieces;
    for (const Token& t : model.tokenize(s.text)) {
      got.push_back(t.id);
      pieces += (pieces.empty() ? "" : " ") + t.value;
    }
    if (got != parse_ids(c_.ids[i])) {
      ++failed;
      ADD_FAILURE() << describe(i) << "\n  expected " << c_.ids[i] << "\n  got      " << show(got) << " = " << pieces;
    }
  }
  std::cout << "[ SPM ] " << GetParam() << ": " << c_.texts.size() - failed << " of " << c_.texts.size()
            << " cases equal spm_encode\n";
}

// The whole tokenizer loaded from the file. As HF, control and unknown pieces written in the text
// are special tokens, where SentencePiece reads characters: those cases are left to the test above.
TEST_P(SpmFixtureTest, TokenizerEqualsSpmEncode) {
  const Tokenizer t = Tokenizer::from_dir((kDir / (GetParam() + ".model")).string());
  size_t compared = 0;
  for (size_t i = 0; i < c_.texts.size(); ++i) {
    bool has_special = false;
    for (const SpmPiece& p : c_.proto.pieces) {
      const bool special = p.type == SpmPiece::Control || p.type == SpmPiece::Unknown;
      has_special |= special && c_.texts[i].find(p.piece) != std::string::npos;
    }
    if (has_special) continue;
    ++compared;
    EXPECT_EQ(show(t.encode(c_.texts[i], /*add_special_tokens=*/false).ids), show(parse_ids(c_.ids[i]))) << describe(i);
  }
  EXPECT_GE(compared + 3, c_.texts.size());
}

TEST_P(SpmFixtureTest, DecodeEqualsSpmDecode) {
  const Tokenizer t = Tokenizer::from_dir((kDir / (GetParam() + ".model")).string());
  for (size_t i = 0; i < c_.texts.size(); ++i) {
    EXPECT_EQ(t.decode(parse_ids(c_.ids[i]), /*skip_special_tokens=*/false), c_.decoded[i]) << describe(i);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SpmFixtureTest, ::testing::ValuesIn(model_names()),
                         [](const auto& info) { return info.param; });

TEST(SpmFixtureFolderTest, HasTheThreeModels) {
  // A fixture folder the parameterised suite silently ran nothing on would pass: count them.
  EXPECT_EQ(model_names(), (std::vector<std::string>{"llama_like", "nfkc_suffix", "user_symbols"}));
}

// The same model as HF transformers v4.40 converts it (LlamaConverter → tokenizer.json: BPE with
// byte_fallback and fuse_unk, Prepend + Replace normalizer, ByteFallback/Fuse/Strip decoders), against
// HF tokenizers 0.23.2 on it (tools/make_spm_bpe_fixtures.sh). HF equals spm_encode on every case but
// the one with "<unk>" in the text.
TEST(SentencePieceBpeTest, LlamaTokenizerJsonEqualsHf) {
  const Tokenizer t = Tokenizer::from_file((kDir / "llama_like.tokenizer.json").string());
  const auto texts = read_lines(kDir / "cases.txt");
  const auto ids = read_lines(kDir / "llama_like.hf_ids");
  const auto decoded = read_lines(kDir / "llama_like.hf_decoded");
  ASSERT_EQ(ids.size(), texts.size());
  ASSERT_EQ(decoded.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<int64_t> expected = parse_ids(ids[i]);
    EXPECT_EQ(show(t.encode(texts[i], false).ids), show(expected)) << "case " << i + 1 << " \"" << texts[i] << "\"";
    EXPECT_EQ(t.decode(expected, false), decoded[i]) << "case " << i + 1 << " \"" << texts[i] << "\"";
  }
}

// LLaMA's settings keep every character and space: decode(encode(text)) == text, newlines and
// characters outside the vocabulary (byte fallback) included. (Not a literal U+2581: it is a space
// to SentencePiece as well.)
TEST(SentencePieceBpeTest, LlamaLikeRoundTrips) {
  const Tokenizer t = Tokenizer::from_dir((kDir / "llama_like.model").string());
  for (const std::string text : {"", " ", "Hello world", "  two leading, two trailing  ", "line\nbreaks\n\n",
                                 "tabs\tand 日本語 and 🦙", "ÿ\u0001\u007f", "U+FFFD \xEF\xBF\xBD itself"}) {
    const Encoding e = t.encode(text);
    EXPECT_EQ(t.decode(e.ids), text) << "ids " << show(e.ids);
  }
}

TEST(SentencePieceBpeTest, AddsBosAsLlamaAndReadsTokenizerConfig) {
  const Tokenizer t = Tokenizer::from_dir((kDir / "llama_like.model").string());
  const std::vector<int64_t> hello = t.encode("Hello", false).ids;
  std::vector<int64_t> with_bos = {1};
  with_bos.insert(with_bos.end(), hello.begin(), hello.end());
  EXPECT_EQ(t.encode("Hello").ids, with_bos);
  EXPECT_EQ(t.num_special_tokens(false), 1u);
  // A pair: <s> A <s> B, B with type id 1 (LlamaTokenizerFast.update_post_processor).
  const Encoding pair = t.encode_pair("Hello", "Hello");
  std::vector<int64_t> expected = with_bos;
  expected.insert(expected.end(), with_bos.begin(), with_bos.end());
  EXPECT_EQ(pair.ids, expected);
  EXPECT_EQ(pair.type_ids.front(), 0);
  EXPECT_EQ(pair.type_ids.back(), 1);
  // <s> in the text is the special token, as in HF; decoding skips it unless asked not to.
  EXPECT_EQ(t.encode("<s>Hello", false).ids.front(), 1);
  EXPECT_EQ(t.decode(with_bos), "Hello");
  EXPECT_EQ(t.decode(with_bos, /*skip_special_tokens=*/false), "<s>Hello");

  adalora::testing::TempDir dir;
  fs::copy_file(kDir / "llama_like.model", dir.file("tokenizer.model"));
  std::ofstream(dir.file("tokenizer_config.json")) << R"({"add_bos_token": false, "add_eos_token": true})";
  const Tokenizer eos = Tokenizer::from_dir(dir.path());
  std::vector<int64_t> with_eos = hello;
  with_eos.push_back(2);
  EXPECT_EQ(eos.encode("Hello").ids, with_eos);
}

TEST(SentencePieceBpeTest, OffsetsAreCodePointsOfTheText) {
  const Tokenizer t = Tokenizer::from_dir((kDir / "llama_like.model").string());
  const std::string text = " Hello 🦙";
  const Encoding e = t.encode(text, false);
  const std::u32string u = utf8_to_u32(text);
  std::string rebuilt;
  size_t last_end = 0;
  for (size_t i = 0; i < e.ids.size(); ++i) {
    const auto [start, end] = e.offsets[i];
    ASSERT_LE(start, end);
    ASSERT_LE(end, u.size());
    if (start >= last_end) rebuilt += u32_to_utf8(u.substr(start, end - start));
    last_end = std::max(last_end, end);
  }
  EXPECT_EQ(rebuilt, text);
  // The four byte pieces of the emoji all point at its one code point.
  EXPECT_EQ(e.offsets.back(), (Offsets{7, 8}));
  EXPECT_EQ(e.offsets[e.offsets.size() - 4], (Offsets{7, 8}));
}

// A model written by hand: <unk>, the letters, and merged pieces with chosen scores and types.
SpmModelProto hand_model(const std::vector<std::tuple<std::string, float, int>>& extra, bool identity = true) {
  SpmModelProto m;
  m.model_type = SpmModelProto::Bpe;
  m.pieces.push_back({"<unk>", 0, SpmPiece::Unknown});
  for (const char* c : {"a", "b", "c", "d", "\xe2\x96\x81"}) m.pieces.push_back({c, -10, SpmPiece::Normal});
  for (const auto& [piece, score, type] : extra) m.pieces.push_back({piece, score, type});
  if (identity) {
    m.add_dummy_prefix = false;
    m.remove_extra_whitespaces = false;
  }
  return m;
}

std::vector<std::string> encode_pieces(const SpmModelProto& m, const std::string& text) {
  const SentencePieceBpe model(m, "hand-built");
  const auto normalizer = make_sentencepiece_normalizer(m, "hand-built");
  NormalizedString s = NormalizedString::from_original(utf8_to_u32(text));
  normalizer->normalize(s);
  std::vector<std::string> out;
  for (const Token& t : model.tokenize(s.text)) out.push_back(t.value);
  return out;
}

using Pieces = std::vector<std::string>;

// Scores of merged pieces decide, not the order of pairs; equal scores go to the leftmost pair.
TEST(SentencePieceBpeTest, HighestScoreThenLeftmostMerges) {
  EXPECT_EQ(encode_pieces(hand_model({{"ab", -1, 1}, {"bc", -2, 1}}), "abc"), (Pieces{"ab", "c"}));
  EXPECT_EQ(encode_pieces(hand_model({{"ab", -2, 1}, {"bc", -1, 1}}), "abc"), (Pieces{"a", "bc"}));
  EXPECT_EQ(encode_pieces(hand_model({{"bc", -1, 1}, {"ab", -1, 1}}), "abc"), (Pieces{"ab", "c"}));
  EXPECT_EQ(encode_pieces(hand_model({{"ab", -1, 1}, {"cd", -1, 1}, {"abcd", -3, 1}}), "abcd"), (Pieces{"abcd"}));
}

// A merge into an UNUSED piece happens (later merges may build on it) and is undone if it survives.
TEST(SentencePieceBpeTest, UnusedPiecesAreResegmented) {
  const auto m = hand_model({{"ab", -1, SpmPiece::Unused}, {"abc", -2, 1}});
  EXPECT_EQ(encode_pieces(m, "abc"), (Pieces{"abc"}));
  EXPECT_EQ(encode_pieces(m, "abd"), (Pieces{"a", "b", "d"}));
}

// User-defined symbols are matched first, longest first, and never merge with their neighbours.
TEST(SentencePieceBpeTest, UserDefinedSymbolsAreFrozen) {
  const auto m = hand_model({{"ab", -1, 1}, {"bc", -1, SpmPiece::UserDefined}, {"bcd", 0, SpmPiece::UserDefined}});
  EXPECT_EQ(encode_pieces(m, "abcd"), (Pieces{"a", "bcd"}));
  EXPECT_EQ(encode_pieces(m, "abca"), (Pieces{"a", "bc", "a"}));
  EXPECT_EQ(encode_pieces(m, "abab"), (Pieces{"ab", "ab"}));
}

TEST(SentencePieceBpeTest, UnknownsFuseWithoutByteFallback) {
  const auto m = hand_model({});
  EXPECT_EQ(encode_pieces(m, "axyzb€a"), (Pieces{"a", "<unk>", "b", "<unk>", "a"}));
}

TEST(SentencePieceBpeTest, DecodeHandlesBytesUnknownAndTheDummyPrefix) {
  SpmModelProto m = hand_model({{"\xe2\x96\x81" "a", -1, 1}}, /*identity=*/false);
  m.byte_fallback = true;
  char code[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(code, sizeof(code), "<0x%02X>", b);
    m.pieces.push_back({code, 0, SpmPiece::Byte});
  }
  const auto decoder = make_sentencepiece_decoder(m);
  auto decode = [&](std::vector<std::string> pieces) { return decoder->decode_chain(std::move(pieces)).at(0); };
  EXPECT_EQ(decode({"\xe2\x96\x81" "a", "\xe2\x96\x81", "b"}), "a b");
  // remove_extra_whitespaces: every leading U+2581 goes while no text is written.
  EXPECT_EQ(decode({"\xe2\x96\x81", "\xe2\x96\x81" "a"}), "a");
  EXPECT_EQ(decode({"<0xF0>", "<0x9F>", "<0xA6>", "<0x99>", "<0xFF>", "<unk>", "<0xC3>"}),
            "\xF0\x9F\xA6\x99\xEF\xBF\xBD \xE2\x81\x87 \xEF\xBF\xBD");
}

// Protobuf bytes by hand: a length-delimited field, and a piece {piece, type}.
std::string pb_bytes(int field, const std::string& payload) {
  std::string out(1, static_cast<char>(field << 3 | 2));
  out += static_cast<char>(payload.size());  // payloads here are < 128 bytes
  return out + payload;
}
std::string pb_piece(const std::string& piece, int type) {
  return pb_bytes(1, pb_bytes(1, piece) + std::string{static_cast<char>(3 << 3), static_cast<char>(type)});
}

void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected adalora::Error containing \"" << needle << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SentencePieceBpeTest, MalformedFilesAreRefusedWithFileAndField) {
  adalora::testing::TempDir dir;
  auto load = [&](const std::string& bytes) {
    std::ofstream(dir.file("tokenizer.model"), std::ios::binary) << bytes;
    return Tokenizer::from_dir(dir.file("tokenizer.model"));
  };
  const std::string bpe = pb_bytes(2, std::string{static_cast<char>(3 << 3), 2});   // trainer_spec.model_type 2
  const std::string word = pb_bytes(2, std::string{static_cast<char>(3 << 3), 3});  // WORD
  expect_error([&] { load("\x0a\x7f"); }, "tokenizer.model: expected a SentencePiece ModelProto");
  expect_error([&] { load(pb_piece("<unk>", 2) + word); }, "trainer_spec.model_type: expected 1 (UNIGRAM) or 2 (BPE), got 3");
  expect_error([&] { load(pb_piece("a", 1) + bpe); }, "expected one piece of type UNKNOWN");
  expect_error([&] { load(pb_piece("<unk>", 2) + pb_piece("<0x41>", 6) + bpe); },
               "pieces[1]: byte piece \"<0x41>\" although trainer_spec.byte_fallback is false");
  expect_error([&] { load(pb_piece("<unk>", 2) + pb_piece("a", 1) + pb_piece("a", 1) + bpe); },
               "pieces[2]: \"a\" is already defined (id 1)");
  EXPECT_EQ(load(pb_piece("<unk>", 2) + pb_piece("a", 1) + bpe).encode("aa", false).ids, (std::vector<int64_t>{0, 1, 1}));
}

}  // namespace
}  // namespace adalora::tokenizers
