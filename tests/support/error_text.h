// Checking error messages (STYLE.md §5: every error message is tested): the message an action
// throws, and a containment check that prints the whole message when it fails.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "adalora/core/error.h"

namespace adalora::testing {

/// The message of the adalora::Error that `f` throws, or "<no error>" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace adalora::testing

/// Expects `needle` inside the string `haystack`, printing `haystack` when it is not.
#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)
