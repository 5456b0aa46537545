// Rules that keep a test run from passing without proving anything.
//
// 1. A CTest entry that selects no test fails (a stale --gtest_filter, an empty golden folder).
// 2. Golden data is required when CI is set (CI=true) or ADALORA_GOLDEN_DIR names a folder: then
//    missing data and every skipped golden test fail. Otherwise (a local run without ../shared)
//    golden tests skip loudly, and a golden CTest entry exits kSkipExitCode, shown as "Skipped".
// 3. A test that reads golden data has "Golden" in its full name: CMake gives exactly those the
//    `golden` label, so `ctest -L unit` needs no data.
#pragma once

namespace adalora::testing {

/// CTest's SKIP_RETURN_CODE for golden entries run without the golden folder.
constexpr int kSkipExitCode = 77;

/// True when missing golden data must fail rather than skip (CI, or ADALORA_GOLDEN_DIR given).
bool golden_required();

/// Before the tests of a golden CTest entry (ADALORA_GOLDEN_ENTRY=1) run: -1 to go on, else the
/// exit code (kSkipExitCode or 1) after printing why.
int golden_entry_precheck();

/// The exit code of the whole run: gtest's `status`, or 1 when no test was selected or when a
/// golden test skipped although golden data is required.
int suite_verdict(int status);

/// ADD_FAILURE unless the running test's full name contains "Golden" (rule 3); golden_path() calls
/// it, so every test that reads the data is checked.
void expect_golden_test_name();

}  // namespace adalora::testing
