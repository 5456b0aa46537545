#include "adalora/core/error.h"

#include <gtest/gtest.h>

#include "adalora/core/threads.h"

namespace adalora {
namespace {

TEST(ErrorTest, CheckThrowsWithStreamedMessage) {
  try {
    ADALORA_CHECK(1 + 1 == 3, "config.json: ", "num_labels", ": expected ", 2, ", got ", 3);
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config.json: num_labels: expected 2, got 3");
  }
}

TEST(ErrorTest, CheckPassesSilently) { EXPECT_NO_THROW(ADALORA_CHECK(true, "never")); }

TEST(ThreadsTest, ExplicitCountWins) {
  EXPECT_EQ(configure_threads(1), 1);
  EXPECT_GE(configure_threads(), 1);
}

}  // namespace
}  // namespace adalora
