#include "adalora/core/blas.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace adalora {
namespace {

// cmake/openblas_openmp.cmake links OpenBLAS's OpenMP build into every program; if the loader
// picked up the system's alternative instead (openblas-pthread), a multi-thread step runs two
// thread pools on the same cores and gets ~2x slower without any error. This catches that.
TEST(BlasTest, ProgramsGetTheOpenMPBuildOfOpenBlas) {
#ifdef ADALORA_EXPECT_OPENBLAS_OPENMP
  EXPECT_STREQ(to_string(blas_threading()), "openmp") << blas_description();
  EXPECT_NE(blas_description().find("OpenBLAS"), std::string::npos) << blas_description();
#else
  GTEST_SKIP() << "built without ADALORA_OPENBLAS_OPENMP; BLAS is " << blas_description();
#endif
}

TEST(BlasTest, MatmulThroughTheLoadedBlasIsRight) {
  torch::manual_seed(0);
  const auto a = torch::randn({67, 129}, torch::kFloat64);
  const auto b = torch::randn({129, 45}, torch::kFloat64);
  // Sum of outer products: the same product without a GEMM call.
  const auto expected = (a.unsqueeze(2) * b.unsqueeze(0)).sum(1);
  EXPECT_TRUE(torch::allclose(torch::mm(a, b), expected, 1e-10, 1e-10));
}

}  // namespace
}  // namespace adalora
