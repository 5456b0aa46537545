// The output-folder checks run before training (train/output_dir.h): another run's folder is
// refused unless resumed or overwritten, and a disk too small for the checkpoints is refused.
#include "adalora/train/output_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adalora/core/error.h"
#include "tests/support/golden.h"

namespace adalora::train {
namespace {

using adalora::testing::TempDir;
namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OutputDirTest, AFreshOrUnrelatedFolderIsAccepted) {
  TempDir dir;
  EXPECT_NO_THROW(prepare_output_dir(dir.file("new/nested"), {}));
  EXPECT_TRUE(fs::is_directory(dir.file("new/nested")));
  std::ofstream(dir.file("notes.txt")) << "mine";  // not a run's file
  EXPECT_NO_THROW(prepare_output_dir(dir.path(), {}));
  EXPECT_TRUE(fs::exists(dir.file("notes.txt")));
}

TEST(OutputDirTest, AnotherRunsFolderIsRefusedNamingTheFileAndTheFlags) {
  for (const char* file : {"log.jsonl", "checkpoint", "checkpoint.old", "adapter", "best"}) {
    SCOPED_TRACE(file);
    TempDir dir;
    fs::create_directories(dir.file(file));
    const std::string e = error_of([&] { prepare_output_dir(dir.path(), {}); });
    EXPECT_NE(e.find(dir.path() + ": holds another run (" + file + ")"), std::string::npos) << e;
    EXPECT_NE(e.find("--resume"), std::string::npos) << e;
    EXPECT_NE(e.find("--overwrite"), std::string::npos) << e;
  }
}

TEST(OutputDirTest, ResumeKeepsTheRunAndOverwriteDeletesOnlyItsCheckpoints) {
  TempDir dir;
  for (const char* sub : {"checkpoint", "checkpoint.tmp", "adapter"}) fs::create_directories(dir.file(sub));
  std::ofstream(dir.file("log.jsonl")) << "{}\n";
  prepare_output_dir(dir.path(), {/*resume=*/true, /*overwrite=*/false});
  EXPECT_TRUE(fs::exists(dir.file("checkpoint")));
  prepare_output_dir(dir.path(), {/*resume=*/false, /*overwrite=*/true});
  EXPECT_FALSE(fs::exists(dir.file("checkpoint")));  // a later --resume must not continue the old run
  EXPECT_FALSE(fs::exists(dir.file("checkpoint.tmp")));
  EXPECT_TRUE(fs::exists(dir.file("adapter")));  // replaced when the new run writes its own
}

TEST(OutputDirTest, AFileWhereTheFolderShouldBeIsRefused) {
  TempDir dir;
  std::ofstream(dir.file("out")) << "x";
  EXPECT_NE(error_of([&] { prepare_output_dir(dir.file("out"), {}); }).find("expected a folder"), std::string::npos);
}

TEST(OutputDirTest, TooLittleFreeSpaceIsRefusedWithBothSizes) {
  TempDir dir;
  EXPECT_NO_THROW(check_free_space(dir.path(), 1));
  const std::string e = error_of([&] { check_free_space(dir.path(), uint64_t{1} << 62); });  // 4 EiB
  EXPECT_NE(e.find(dir.path() + ": "), std::string::npos) << e;
  EXPECT_NE(e.find(" MiB free, the run's checkpoints need about 4398046511104 MiB"), std::string::npos) << e;
}

TEST(OutputDirTest, ARunNeedsTwoCheckpointsPlusAdapterAndBest) {
  // checkpoint = tensors + 2 AdamW moments + 2 AdaLoRA averages = 5×; two of them + adapter + best.
  EXPECT_EQ(bytes_needed_for_run(1000), 12000u);
}

}  // namespace
}  // namespace adalora::train
