// The README's library example must be the file that examples/CMakeLists.txt builds and runs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReadmeExample, IsExamplesCustomModelVerbatim) {
  const std::string readme = read(std::string(ADALORA_SOURCE_DIR) + "/README.md");
  const std::string example = read(std::string(ADALORA_SOURCE_DIR) + "/examples/custom_model.cpp");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(readme.find("```cpp\n" + example + "```"), std::string::npos)
      << "README.md's C++ example differs from examples/custom_model.cpp; copy the file into the README";
}

}  // namespace
