// Readable gtest names for the parameterised golden suites: the case folder or file name, with
// '_' for every character gtest does not accept in a name.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace adalora::testing {

/// A golden case or file name as a gtest parameter name: every character that is not a letter or
/// a digit becomes '_' (for INSTANTIATE_TEST_SUITE_P over golden_cases / golden_files).
inline std::string golden_case_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace adalora::testing
