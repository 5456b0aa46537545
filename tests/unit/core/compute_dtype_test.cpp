#include "adalora/core/compute_dtype.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "tests/support/error_text.h"

namespace adalora {
namespace {

using testing::error_of;

TEST(ComputeDtype, ParsesTheTwoSupportedNames) {
  EXPECT_EQ(parse_compute_dtype("float32"), torch::kFloat32);
  EXPECT_EQ(parse_compute_dtype("bfloat16"), torch::kBFloat16);
  EXPECT_EQ(compute_dtype_name(torch::kBFloat16), "bfloat16");
  EXPECT_EQ(compute_dtype_name(torch::kFloat32), "float32");
}

TEST(ComputeDtype, RefusesOtherSpellingsNamingTheSource) {
  const std::string msg = error_of([] { parse_compute_dtype("bf16", "train.json: dtype"); });
  EXPECT_NE(msg.find("train.json: dtype"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected float32 or bfloat16, got \"bf16\""), std::string::npos) << msg;
  const std::string half = error_of([] { parse_compute_dtype("float16"); });
  EXPECT_NE(half.find("--dtype: float16 is not supported"), std::string::npos) << half;
}

}  // namespace
}  // namespace adalora
