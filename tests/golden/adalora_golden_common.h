// Shared helpers of the AdaLoRA golden tests: locating scenario files in shared/golden/adalora.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cctype>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "tests/support/golden.h"

namespace adalora::peft::golden {

inline constexpr const char* kSub = "adalora";

inline torch::ScalarType dtype_of(const std::string& name) {
  return name == "float64" ? torch::kFloat64 : torch::kFloat32;
}

inline io::Json load(const std::string& file) {
  return io::load_json_file(testing::golden_path(std::string(kSub) + "/" + file));
}

/// Files of the golden folder matching prefix*suffix, or one sentinel when none exist so that the
/// test runs and fails or skips loudly instead of vanishing.
inline std::vector<std::string> scenario_files(const std::string& prefix, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& f : testing::golden_files(kSub, suffix)) {
    if (f.rfind(prefix, 0) == 0) out.push_back(f);
  }
  if (out.empty()) out.push_back("<missing>");
  return out;
}

inline std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace adalora::peft::golden

#define REQUIRE_SCENARIO(file)                                                                  \
  do {                                                                                          \
    ADALORA_REQUIRE_GOLDEN(::adalora::peft::golden::kSub);                                      \
    ASSERT_NE(file, "<missing>") << "no scenario file of this kind in "                         \
                                 << ::adalora::testing::golden_path(::adalora::peft::golden::kSub); \
  } while (false)
