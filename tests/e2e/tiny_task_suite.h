// The fixture of the end-to-end suites that share one tiny sentiment task: the task
// (cli_runner.h write_tiny_sentiment_task) is written once per suite into a temporary folder that
// every test of the suite reads, and removed after the suite.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora::testing {

/// Base of such a suite: `class CliX : public TinyTaskSuite<CliX>` with a public
/// `static TinyTaskSpec task_spec()`. A suite that needs more set-up defines its own
/// SetUpTestSuite, calls TinyTaskSuite<CliX>::SetUpTestSuite() first and returns on
/// HasFatalFailure().
template <typename Suite>
class TinyTaskSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const CliRun r = write_tiny_sentiment_task(dir_->path(), Suite::task_spec());
    ASSERT_EQ(r.code, 0) << r.output;
  }
  static void TearDownTestSuite() { dir_.reset(); }

  /// " --model <dir>/model --task classification --train-file <dir>/train.jsonl --eval-file
  /// <dir>/dev.jsonl": the part of a `train` command every suite shares.
  static std::string task_flags() {
    return " --model " + dir_->file("model") + " --task classification --train-file " +
           dir_->file("train.jsonl") + " --eval-file " + dir_->file("dev.jsonl");
  }

  static inline std::unique_ptr<TempDir> dir_;
};

}  // namespace adalora::testing
