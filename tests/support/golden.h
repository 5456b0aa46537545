// Locating and reading the reference test vectors in ../shared/golden.
//
// The folder is ADALORA_GOLDEN_DIR when set, else <repository>/../shared/golden. Tests that need it
// call ADALORA_REQUIRE_GOLDEN, which skips loudly (never passes silently) when it is absent.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::testing {

/// The golden root folder (may not exist).
std::string golden_dir();
/// golden_dir() + "/" + sub.
std::string golden_path(const std::string& sub);
bool golden_exists(const std::string& sub);

/// Files in golden_path(sub) whose names end with `suffix`, sorted; empty when the folder is absent.
std::vector<std::string> golden_files(const std::string& sub, const std::string& suffix);
/// Sub-folders of golden_path(sub) that contain `marker_file`, sorted.
std::vector<std::string> golden_cases(const std::string& sub, const std::string& marker_file);

/// {"shape": [...], "data": [...]} → tensor of `dtype` (data is read as double, bool or int64).
torch::Tensor tensor_from_json(const io::Json& j, torch::ScalarType dtype = torch::kFloat64);

/// A fresh, empty temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace adalora::testing

#define ADALORA_REQUIRE_GOLDEN(sub)                                                     \
  do {                                                                                  \
    if (!::adalora::testing::golden_exists(sub)) {                                      \
      GTEST_SKIP() << "\n*** GOLDEN DATA NOT FOUND at " << ::adalora::testing::golden_path(sub) \
                   << " — set ADALORA_GOLDEN_DIR; this test checks nothing without it ***"; \
    }                                                                                   \
  } while (false)
