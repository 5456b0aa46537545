// Unicode helpers: UTF-8 round trips and the character classes the pre-tokenisers rely on.
#include "adalora/tokenizers/unicode.h"

#include <gtest/gtest.h>

namespace adalora::tokenizers {
namespace {

TEST(UnicodeTest, Utf8RoundTrips) {
  const std::string text = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\xA6\x99";  // a é 中 🦙
  const std::u32string u = utf8_to_u32(text);
  ASSERT_EQ(u.size(), 4u);
  EXPECT_EQ(u[3], 0x1F999u);
  EXPECT_EQ(u32_to_utf8(u), text);
  EXPECT_EQ(utf8_length(text), 4u);
}

TEST(UnicodeTest, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(utf8_to_u32("a\xFF" "b"), (std::u32string{U'a', 0xFFFD, U'b'}));
}

TEST(UnicodeTest, CharacterClasses) {
  EXPECT_TRUE(is_whitespace(0x3000));
  EXPECT_FALSE(is_whitespace(0x200B));
  EXPECT_TRUE(is_bert_punctuation(U'$'));
  EXPECT_TRUE(is_bert_punctuation(0x3002));
  EXPECT_TRUE(is_cjk(0x4E2D));
  EXPECT_TRUE(is_letter(0x00E9));
  EXPECT_TRUE(is_numeric(0x00BD));
  EXPECT_TRUE(is_nonspacing_mark(0x0301));
  EXPECT_EQ(to_lower(0x0130), (std::u32string{U'i', 0x0307}));
}

TEST(UnicodeTest, NormalisationForms) {
  EXPECT_EQ(normalize(U"\u00E9", NormalizationForm::NFD), (std::u32string{U'e', 0x0301}));
  EXPECT_EQ(normalize(U"\uFB01", NormalizationForm::NFKC), U"fi");
}

}  // namespace
}  // namespace adalora::tokenizers
