// gtest main shared by every test executable: sets LibTorch's thread count from the machine and
// applies the suite rules of suite_checks.h (no entry passes by running nothing).
#include <gtest/gtest.h>

#include "adalora/core/threads.h"
#include "tests/support/suite_checks.h"

#if defined(__SANITIZE_ADDRESS__)
// ADALORA_SANITIZE builds (cmake/sanitizers.cmake): LibTorch's thread pools and registries are
// never freed before exit, which LeakSanitizer would report as leaks of every test.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  adalora::configure_threads();
  if (const int early = adalora::testing::golden_entry_precheck(); early >= 0) return early;
  return adalora::testing::suite_verdict(RUN_ALL_TESTS());
}
