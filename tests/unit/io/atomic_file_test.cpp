// Tests of io/atomic_file: whole-file writes that either replace the target completely or leave
// it untouched, and read errors that name the file.
#include "adalora/io/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "adalora/core/error.h"
#include "tests/support/golden.h"

namespace adalora::io {
namespace {

using adalora::testing::TempDir;
namespace fs = std::filesystem;

size_t files_in(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFileTest, WritesAndReadsBackBinaryBytes) {
  TempDir dir;
  const std::string bytes("a\0b\xff\n", 5);
  write_file_atomic(dir.file("f.bin"), bytes);
  EXPECT_EQ(read_file(dir.file("f.bin")), bytes);
  EXPECT_EQ(files_in(dir.path()), 1u);  // no temporary left behind
}

TEST(AtomicFileTest, ReplacesAnExistingFile) {
  TempDir dir;
  write_file_atomic(dir.file("f.txt"), std::string("a much longer old content"));
  write_file_atomic(dir.file("f.txt"), [](std::ostream& out) { out << "new"; });
  EXPECT_EQ(read_file(dir.file("f.txt")), "new");
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(AtomicFileTest, FailingWriterLeavesTheOldFileIntact) {
  TempDir dir;
  const std::string path = dir.file("f.txt");
  write_file_atomic(path, std::string("old"));
  EXPECT_THROW(write_file_atomic(path,
                                 [](std::ostream& out) {
                                   out << "partial new content";
                                   throw std::runtime_error("writer failed");
                                 }),
               std::runtime_error);
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(files_in(dir.path()), 1u);  // the temporary was removed
}

TEST(AtomicFileTest, FailingWriterCreatesNoFile) {
  TempDir dir;
  EXPECT_THROW(write_file_atomic(dir.file("f.txt"), [](std::ostream&) { throw Error("nope"); }),
               Error);
  EXPECT_FALSE(fs::exists(dir.file("f.txt")));
  EXPECT_EQ(files_in(dir.path()), 0u);
}

TEST(AtomicFileTest, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/f.txt");
  try {
    write_file_atomic(path, std::string("x"));
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path, 0), 0u) << msg;
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  }
}

TEST(AtomicFileTest, ReadingAMissingFileIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("absent.txt");
  try {
    read_file(path);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path, 0), 0u) << msg;
    EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;
  }
}

TEST(AtomicFileTest, EmptyContentIsAnEmptyFile) {
  TempDir dir;
  write_file_atomic(dir.file("e"), std::string());
  EXPECT_TRUE(fs::exists(dir.file("e")));
  EXPECT_EQ(read_file(dir.file("e")), "");
}

}  // namespace
}  // namespace adalora::io
