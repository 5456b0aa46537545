// core/json_depth: the nesting bound checked before any JSON text is parsed.
#include "adalora/core/json_depth.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"

namespace adalora {
namespace {

TEST(JsonDepthTest, AcceptsNestingUpToTheLimit) {
  EXPECT_NO_THROW(check_json_depth("{\"a\": [[1], {\"b\": 2}]}", "f.json", 3));
  EXPECT_NO_THROW(check_json_depth(std::string(128, '[') + std::string(128, ']'), "f.json"));
}

TEST(JsonDepthTest, RefusesDeeperNestingNamingFileLimitAndByte) {
  try {
    check_json_depth("{\"a\": [[1]]}", "config.json", 2);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("config.json: JSON nests deeper than 2 levels at byte 7", 0), 0u)
        << e.what();
  }
  // A million brackets: an error, not a stack overflow.
  EXPECT_THROW(check_json_depth(std::string(1000000, '['), "deep.json"), Error);
}

TEST(JsonDepthTest, BracketsInsideStringsDoNotCount) {
  EXPECT_NO_THROW(check_json_depth("[\"[[[[\", \"\\\"[[[[\"]", "f.json", 1));
  EXPECT_THROW(check_json_depth("[\"\\\\\", [1]]", "f.json", 1), Error);  // "\\" ends the string
}

}  // namespace
}  // namespace adalora
