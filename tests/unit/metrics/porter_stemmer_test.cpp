// NLTK's Porter stemmer (NLTK_EXTENSIONS): the words where it differs from the 1980 algorithm.
#include "adalora/metrics/porter_stemmer.h"

#include <gtest/gtest.h>

namespace adalora::metrics {
namespace {

TEST(PorterStemmerTest, NltkExtensions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"news", "news"},       {"says", "say"},          {"saying", "say"},
      {"died", "die"},        {"dies", "die"},          {"dying", "die"},
      {"skies", "sky"},       {"innings", "inning"},    {"proceed", "proceed"},
      {"proceeds", "proce"},  {"technology", "technolog"}, {"possibly", "possibl"},
      {"1990s", "1990"},      {"hospitalized", "hospit"}, {"hospitalised", "hospitalis"},
      {"caresses", "caress"}, {"relational", "relat"},  {"happy", "happi"},
      {"enjoy", "enjoy"},     {"controll", "control"},  {"rates", "rate"}};
  for (const auto& [word, stem] : cases) EXPECT_EQ(porter_stem(word), stem) << word;
}

}  // namespace
}  // namespace adalora::metrics
