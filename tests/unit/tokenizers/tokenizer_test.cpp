// Tokenizer against HuggingFace tokenizers itself: pair encoding, the three truncation strategies
// with stride and overflowing windows, special tokens, type ids, attention mask, tokens, offsets
// and decoding, field by field, on the three golden tokenizer.json files
// (../shared/golden/tokenizers). The expectations (tests/fixtures/tokenizers/hf_expectations.json)
// were produced by the official implementation, npm tokenizers@0.23.2, with
// tests/fixtures/tokenizers/make_hf_expectations.js. Where HF refuses a configuration (sequence too
// short, stride too large) we must throw adalora::Error. Also: offsets round-trip into the text,
// decode round trip, and encode_batch parallel = sequential.
#include "adalora/tokenizers/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "adalora/core/error.h"
#include "adalora/tokenizers/legacy.h"
#include "adalora/tokenizers/parallel.h"
#include "adalora/tokenizers/pre_tokenizers.h"
#include "adalora/tokenizers/unicode.h"
#include "tests/support/golden.h"

namespace adalora::tokenizers {
namespace {

using json = nlohmann::json;

const json& expectations() {
  static const json j = [] {
    const std::string path =
        std::string(ADALORA_SOURCE_DIR) + "/tests/fixtures/tokenizers/hf_expectations.json";
    std::ifstream in(path, std::ios::binary);
    if (!in.good()) throw Error(path + ": cannot open the file");
    std::ostringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
  }();
  return j;
}

std::string show(const json& j) { return j.dump().substr(0, 400); }

std::string describe(const json& c) {
  std::string s = "text=" + json(c.at("text")).dump();
  if (!c.at("pair").is_null()) s += " pair=" + c.at("pair").dump();
  s += " add_special_tokens=" + c.at("add_special_tokens").dump();
  if (!c.at("truncation").is_null()) s += " truncation=" + c.at("truncation").dump();
  return s;
}

json to_json(const Encoding& e) {
  json j;
  j["ids"] = e.ids;
  j["type_ids"] = e.type_ids;
  j["attention_mask"] = e.attention_mask;
  j["special_tokens_mask"] = e.special_tokens_mask;
  j["tokens"] = e.tokens;
  j["offsets"] = json::array();
  for (const auto& [start, end] : e.offsets) j["offsets"].push_back({start, end});
  j["sequence_ids"] = e.sequence_ids;
  j["overflowing"] = json::array();
  for (const auto& o : e.overflowing) j["overflowing"].push_back(to_json(o));
  return j;
}

// First difference between HF's encoding and ours, field by field, as "<path>: expected …, got …";
// empty when equal.
std::string first_difference(const json& expected, const json& got, const std::string& at) {
  for (const char* field : {"ids", "type_ids", "attention_mask", "special_tokens_mask", "tokens",
                            "offsets", "sequence_ids"}) {
    const json& e = expected.at(field);
    const json& g = got.at(field);
    if (e == g) continue;
    size_t i = 0;
    while (i < e.size() && i < g.size() && e[i] == g[i]) ++i;
    return str_cat(at, field, "[", i, "]: expected ", show(e), ", got ", show(g));
  }
  const json& eo = expected.at("overflowing");
  const json& go = got.at("overflowing");
  if (eo.size() != go.size()) {
    return str_cat(at, "overflowing: expected ", eo.size(), " windows, got ", go.size());
  }
  for (size_t i = 0; i < eo.size(); ++i) {
    std::string d = first_difference(eo[i], go[i], str_cat(at, "overflowing[", i, "]."));
    if (!d.empty()) return d;
  }
  return {};
}

Encoding run_case(const Tokenizer& t, const json& c) {
  std::optional<TruncationOptions> truncation;
  if (!c.at("truncation").is_null()) {
    const json& tr = c.at("truncation");
    truncation =
        TruncationOptions{tr.at("max_length").get<size_t>(),
                          truncation_strategy_from_string(tr.at("strategy").get<std::string>()),
                          tr.at("stride").get<size_t>()};
  }
  const std::string text = c.at("text").get<std::string>();
  const bool special = c.at("add_special_tokens").get<bool>();
  if (c.at("pair").is_null()) return t.encode(text, special, truncation);
  return t.encode_pair(text, c.at("pair").get<std::string>(), special, truncation);
}

const std::vector<std::string> kFolders = {"bert_uncased", "gpt2", "xlmr_unigram"};

class HfExpectationsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ADALORA_REQUIRE_GOLDEN("tokenizers/" + GetParam() + "/tokenizer.json"); }
  Tokenizer load() const {
    return Tokenizer::from_file(
        adalora::testing::golden_path("tokenizers/" + GetParam() + "/tokenizer.json"));
  }
  const json& cases() const { return expectations().at("tokenizers").at(GetParam()).at("cases"); }
};

TEST_P(HfExpectationsTest, EncodingsEqualHfFieldByField) {
  const Tokenizer t = load();
  size_t passed = 0, failed = 0, errors_matched = 0;
  for (size_t i = 0; i < cases().size(); ++i) {
    const json& c = cases()[i];
    if (c.contains("error")) {
      try {
        const Encoding e = run_case(t, c);
        ++failed;
        ADD_FAILURE() << GetParam() << " case " << i << " " << describe(c) << "\n  HF: error \""
                      << c.at("error").get<std::string>() << "\"\n  ours: " << show(to_json(e));
      } catch (const Error&) {
        ++errors_matched;
      }
      continue;
    }
    std::string difference;
    try {
      difference = first_difference(c.at("expected"), to_json(run_case(t, c)), "");
    } catch (const Error& e) {
      difference = std::string("threw: ") + e.what();
    }
    if (difference.empty()) {
      ++passed;
    } else {
      ++failed;
      ADD_FAILURE() << GetParam() << " case " << i << " " << describe(c) << "\n  " << difference;
    }
  }
  std::cout << "[ HF ] " << GetParam() << ": " << passed << " encodings equal HF's, "
            << errors_matched << " refusals match, " << failed << " differ (of " << cases().size()
            << ")\n";
  EXPECT_EQ(failed, 0u);
  EXPECT_GT(passed, 400u);
}

// The legacy files (vocab.txt; vocab.json + merges.txt; sentencepiece.bpe.model) build their own
// pipeline (legacy.h), BERT with BertProcessing rather than a template: they must answer as HF too.
TEST_P(HfExpectationsTest, LegacyFilesEqualHf) {
  const Tokenizer t = load_legacy(adalora::testing::golden_path("tokenizers/" + GetParam()));
  size_t passed = 0, failed = 0;
  for (size_t i = 0; i < cases().size(); ++i) {
    const json& c = cases()[i];
    if (c.contains("error")) {
      EXPECT_THROW(run_case(t, c), Error) << GetParam() << " case " << i << " " << describe(c);
      continue;
    }
    std::string difference;
    try {
      difference = first_difference(c.at("expected"), to_json(run_case(t, c)), "");
    } catch (const Error& e) {
      difference = std::string("threw: ") + e.what();
    }
    if (difference.empty()) {
      ++passed;
    } else {
      ++failed;
      ADD_FAILURE() << GetParam() << " (legacy files) case " << i << " " << describe(c) << "\n  "
                    << difference;
    }
  }
  std::cout << "[ HF ] " << GetParam() << " legacy files: " << passed << " encodings equal HF's, "
            << failed << " differ\n";
  EXPECT_EQ(failed, 0u);
}

// The token's text as it appears in the input, when the tokenizer keeps it recognisable: WordPiece
// without "##", Metaspace with "▁" as a space, byte-level with its bytes back.
std::string surface(const std::string& token) {
  std::string s = token.rfind("##", 0) == 0 ? token.substr(2) : token;
  std::u32string u = utf8_to_u32(s);
  std::string bytes;
  bool all_bytes = true;
  for (char32_t c : u) {
    const int b = char_to_byte(c);
    if (b < 0) {
      all_bytes = false;
      break;
    }
    bytes.push_back(static_cast<char>(b));
  }
  if (all_bytes && !u.empty()) return bytes;
  std::string out;
  for (char32_t c : u) append_utf8(out, c == U'\u2581' ? U' ' : c);
  return out;
}

std::string slice(const std::u32string& text, std::pair<size_t, size_t> o) {
  if (o.first > o.second || o.second > text.size()) return "<out of range>";
  return u32_to_utf8(text.substr(o.first, o.second - o.first));
}

// text[start:end] (code points) is the token's surface text wherever HF's offsets say so.
TEST_P(HfExpectationsTest, OffsetsRoundTripIntoTheText) {
  const Tokenizer t = load();
  size_t checked = 0;
  for (size_t i = 0; i < cases().size(); ++i) {
    const json& c = cases()[i];
    if (c.contains("error") || !c.at("truncation").is_null()) continue;
    const Encoding e = run_case(t, c);
    const json& hf = c.at("expected");
    ASSERT_EQ(e.size(), hf.at("ids").size()) << describe(c);
    const std::u32string a = utf8_to_u32(c.at("text").get<std::string>());
    const std::u32string b =
        c.at("pair").is_null() ? std::u32string() : utf8_to_u32(c.at("pair").get<std::string>());
    for (size_t k = 0; k < e.size(); ++k) {
      if (e.special_tokens_mask[k]) {
        EXPECT_EQ(e.offsets[k], (std::pair<size_t, size_t>{0, 0})) << describe(c) << " token " << k;
        continue;
      }
      const std::u32string& text = e.sequence_ids[k] == 1 ? b : a;
      const std::string want = surface(e.tokens[k]);
      const auto hf_offsets = hf.at("offsets")[k].get<std::pair<size_t, size_t>>();
      if (want.empty() || slice(text, hf_offsets) != want) continue;  // HF's offsets do not say so
      EXPECT_EQ(slice(text, e.offsets[k]), want)
          << GetParam() << " case " << i << " " << describe(c) << " token " << k << " \""
          << e.tokens[k] << "\"";
      ++checked;
    }
  }
  std::cout << "[ HF ] " << GetParam() << ": " << checked << " token offsets round-trip\n";
  EXPECT_GT(checked, 300u);
}

TEST_P(HfExpectationsTest, DecodeEqualsHf) {
  const Tokenizer t = load();
  const json& decodes = expectations().at("tokenizers").at(GetParam()).at("decodes");
  for (const json& d : decodes) {
    EXPECT_EQ(
        t.decode(d.at("ids").get<std::vector<int64_t>>(), d.at("skip_special_tokens").get<bool>()),
        d.at("text").get<std::string>())
        << GetParam() << " ids " << d.at("ids").dump();
  }
}

// encode → decode gives the text back: byte-level BPE for every text (bytes are lossless); the
// others for plain text their normaliser leaves alone.
TEST_P(HfExpectationsTest, DecodeRoundTrip) {
  const Tokenizer t = load();
  const std::string plain = "the quick brown fox jumps over the lazy dog";
  EXPECT_EQ(t.decode(t.encode(plain).ids), plain);
  if (GetParam() != "gpt2") return;
  for (const json& c : cases()) {
    const std::string text = c.at("text").get<std::string>();
    EXPECT_EQ(t.decode(t.encode(text, false).ids, /*skip_special_tokens=*/false), text)
        << json(text).dump();
  }
}

TEST_P(HfExpectationsTest, EncodeBatchIsParallelAndEqualsSequential) {
  const Tokenizer t = load();
  std::vector<std::string> texts;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int repeat = 0; repeat < 8; ++repeat) {
    for (const json& c : cases()) {
      if (!c.at("truncation").is_null() || !c.at("add_special_tokens").get<bool>()) continue;
      const std::string text =
          c.at("text").get<std::string>() + (repeat ? " " + std::to_string(repeat) : "");
      if (c.at("pair").is_null()) {
        texts.push_back(text);
      } else {
        pairs.emplace_back(text, c.at("pair").get<std::string>());
      }
    }
  }
  const TruncationOptions truncation{16, TruncationStrategy::LongestFirst, 4};
  const auto sequential = t.encode_batch(texts, true, truncation, 1);
  for (int threads : {2, 4, 0}) {
    const auto parallel = t.encode_batch(texts, true, truncation, threads);
    ASSERT_EQ(parallel.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      ASSERT_EQ(to_json(parallel[i]), to_json(sequential[i]))
          << "threads " << threads << " text " << i;
      ASSERT_EQ(to_json(parallel[i]), to_json(t.encode(texts[i], true, truncation)))
          << "text " << i;
    }
  }
  const auto pair_sequential = t.encode_pair_batch(pairs, true, truncation, 1);
  const auto pair_parallel = t.encode_pair_batch(pairs, true, truncation, 4);
  ASSERT_EQ(pair_parallel.size(), pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    ASSERT_EQ(to_json(pair_parallel[i]), to_json(pair_sequential[i])) << "pair " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, HfExpectationsTest, ::testing::ValuesIn(kFolders),
                         [](const auto& info) { return info.param; });

// parallel_for (what encode_batch runs on) really runs bodies at the same time: each body waits
// until a second one is active (or 5 s pass).
TEST(ParallelForTest, RunsBodiesConcurrently) {
  std::atomic<int> active{0}, most{0};
  std::vector<int> done(64, 0);
  parallel_for(done.size(), 4, [&](size_t i) {
    const int now = ++active;
    most = std::max(most.load(), now);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (most.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    done[i] += 1;
    --active;
  });
  EXPECT_GE(most.load(), 2);
  EXPECT_EQ(std::count(done.begin(), done.end(), 1), 64);
}

TEST(ParallelForTest, OneThreadRunsInOrderOnTheCaller) {
  std::vector<size_t> order;
  const auto caller = std::this_thread::get_id();
  parallel_for(5, 1, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(EncodeBatchGoldenTest, ErrorsReachTheCaller) {
  ADALORA_REQUIRE_GOLDEN("tokenizers/bert_uncased/tokenizer.json");
  const Tokenizer t =
      Tokenizer::from_file(adalora::testing::golden_path("tokenizers/bert_uncased/tokenizer.json"));
  const std::vector<std::pair<std::string, std::string>> pairs(16,
                                                               {"a long first sequence here", "b"});
  EXPECT_THROW(
      t.encode_pair_batch(pairs, true, TruncationOptions{5, TruncationStrategy::OnlySecond, 0}, 4),
      Error);
}

}  // namespace
}  // namespace adalora::tokenizers
