// NLTK's Punkt sentence splitter (metrics/punkt.h) against NLTK itself: every case of
// tests/fixtures/metrics/punkt_cases.json (written by tools/punkt/make_punkt_fixture.py with NLTK's
// PunktSentenceTokenizer on the same English parameters) must give NLTK's sentences exactly.
#include "adalora/metrics/punkt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adalora/core/error.h"

namespace adalora::metrics {
namespace {

namespace fs = std::filesystem;

const fs::path kPunktDataDir = fs::path(ADALORA_SOURCE_DIR) / "data" / "punkt_tab" / "english";

nlohmann::json load_punkt_cases() {
  std::ifstream in(fs::path(ADALORA_SOURCE_DIR) / "tests" / "fixtures" / "metrics" /
                   "punkt_cases.json");
  EXPECT_TRUE(in.good());
  return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
}

TEST(PunktTest, EveryFixtureCaseGivesNltksSentences) {
  const nlohmann::json fixture = load_punkt_cases();
  ASSERT_TRUE(fixture.contains("cases"));
  ASSERT_GE(fixture["cases"].size(), 300u);
  size_t mismatches = 0;
  for (size_t i = 0; i < fixture["cases"].size(); ++i) {
    const auto& c = fixture["cases"][i];
    const auto text = c["text"].get<std::string>();
    const auto expected = c["sentences"].get<std::vector<std::string>>();
    const std::vector<std::string> got = punkt_sentences(text);
    if (got != expected) {
      ++mismatches;
      ADD_FAILURE() << "case " << i << ": " << nlohmann::json(text)
                    << "\n  nltk: " << nlohmann::json(expected)
                    << "\n  ours: " << nlohmann::json(got);
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(PunktTest, KnownDecisions) {
  // Abbreviation, initials, collocation-free number + lower case, closing quote realigned.
  EXPECT_EQ(punkt_sentences("Dr. Smith met J. R. Ewing. They talked."),
            (std::vector<std::string>{"Dr. Smith met J. R. Ewing.", "They talked."}));
  EXPECT_EQ(punkt_sentences("He said \"stop.\" She did."),
            (std::vector<std::string>{"He said \"stop.\"", "She did."}));
  EXPECT_TRUE(punkt_sentences("").empty());
  EXPECT_TRUE(punkt_sentences(" \n ").empty());
}

TEST(PunktTest, HfRougeLsumSplitStripsAndJoinsWithNewlines) {
  EXPECT_EQ(split_sentences_for_rouge_lsum("  First one. Second one!  \n"),
            "First one.\nSecond one!");
  EXPECT_EQ(split_sentences_for_rouge_lsum("No period"), "No period");
  EXPECT_EQ(split_sentences_for_rouge_lsum("   "), "");
}

std::string read_punkt_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PunktTest, BuiltInParametersEqualTheDataFiles) {
  const PunktParameters files = PunktParameters::from_dir(kPunktDataDir.string());
  const PunktParameters& built_in = english_punkt_parameters();
  EXPECT_EQ(built_in.abbrev_types, files.abbrev_types);
  EXPECT_EQ(built_in.collocations, files.collocations);
  EXPECT_EQ(built_in.sent_starters, files.sent_starters);
  EXPECT_EQ(built_in.ortho_context, files.ortho_context);
  // nltk_data's English model: 156 abbreviations, 37 collocations, 39 starters, 20,366 types.
  EXPECT_EQ(built_in.abbrev_types.size(), 156u);
  EXPECT_EQ(built_in.collocations.size(), 37u);
  EXPECT_EQ(built_in.sent_starters.size(), 39u);
  EXPECT_EQ(built_in.ortho_context.size(), 20366u);
  EXPECT_EQ(read_punkt_file(kPunktDataDir / "abbrev_types.txt").size(), 619u);
}

TEST(PunktTest, BadParameterLinesNameFileAndLine) {
  try {
    PunktParameters::from_tab("", "a\tb\nno-tab\n", "", "", "dir");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dir/collocations.tab: line 2"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(PunktParameters::from_tab("", "", "", "word\tmany\n", "dir"), Error);
  EXPECT_THROW(PunktParameters::from_dir("/nonexistent/punkt"), Error);
}

}  // namespace
}  // namespace adalora::metrics
