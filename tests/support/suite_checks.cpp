#include "tests/support/suite_checks.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "tests/support/golden.h"

namespace adalora::testing {
namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return false;
  const std::string s(v);
  return !s.empty() && s != "0" && s != "false" && s != "FALSE";
}

bool has_golden_in_name(const ::testing::TestInfo& info) {
  return (std::string(info.test_suite_name()) + "." + info.name()).find("Golden") != std::string::npos;
}

}  // namespace

bool golden_required() { return env_set("CI") || env_set("ADALORA_GOLDEN_DIR"); }

int golden_entry_precheck() {
  if (!env_set("ADALORA_GOLDEN_ENTRY") || std::filesystem::is_directory(golden_dir())) return -1;
  if (golden_required()) {
    std::cerr << "\n*** FAILED: golden data not found at " << golden_dir()
              << " (required because CI or ADALORA_GOLDEN_DIR is set) ***\n";
    return 1;
  }
  std::cerr << "\n*** SKIPPED: golden data not found at " << golden_dir()
            << " — these tests check nothing without it; set ADALORA_GOLDEN_DIR ***\n";
  return kSkipExitCode;
}

int suite_verdict(int status) {
  if (GTEST_FLAG_GET(list_tests)) return status;
  const auto& unit = *::testing::UnitTest::GetInstance();
  if (unit.test_to_run_count() == 0) {
    std::cerr << "\n*** FAILED: no test ran (filter \"" << GTEST_FLAG_GET(filter)
              << "\" selects none): an entry that runs nothing proves nothing ***\n";
    return 1;
  }
  int golden_skips = 0;
  if (golden_required()) {
    for (int s = 0; s < unit.total_test_suite_count(); ++s) {
      const auto& suite = *unit.GetTestSuite(s);
      for (int t = 0; t < suite.total_test_count(); ++t) {
        const auto& info = *suite.GetTestInfo(t);
        if (info.should_run() && info.result()->Skipped() && has_golden_in_name(info)) {
          std::cerr << "*** FAILED: golden test skipped: " << suite.name() << "." << info.name() << "\n";
          ++golden_skips;
        }
      }
    }
  }
  return golden_skips > 0 ? 1 : status;
}

void expect_golden_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr && !has_golden_in_name(*info)) {
    ADD_FAILURE() << info->test_suite_name() << "." << info->name()
                  << " reads golden data but its name lacks \"Golden\": CMake labels tests `golden` "
                     "by name, so `ctest -L unit` would need the data";
  }
}

}  // namespace adalora::testing
