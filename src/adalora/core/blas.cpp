#include "adalora/core/blas.h"

// OpenBLAS's own introspection; weak so that a process without OpenBLAS still links and runs.
extern "C" int openblas_get_parallel() __attribute__((weak));
extern "C" char* openblas_get_config() __attribute__((weak));

namespace adalora {

BlasThreading blas_threading() {
  if (openblas_get_parallel == nullptr) return BlasThreading::kNotOpenBlas;
  switch (openblas_get_parallel()) {
    case 0: return BlasThreading::kSequential;
    case 1: return BlasThreading::kPthread;
    default: return BlasThreading::kOpenMP;
  }
}

const char* to_string(BlasThreading threading) {
  switch (threading) {
    case BlasThreading::kOpenMP: return "openmp";
    case BlasThreading::kPthread: return "pthread";
    case BlasThreading::kSequential: return "sequential";
    case BlasThreading::kNotOpenBlas: break;
  }
  return "not-openblas";
}

std::string blas_description() {
  if (openblas_get_config == nullptr) return "not OpenBLAS (reference BLAS or other)";
  return std::string(openblas_get_config()) + " (" + to_string(blas_threading()) + ")";
}

}  // namespace adalora
