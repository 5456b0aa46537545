// Which BLAS a process got at run time. LibTorch's matmuls go to whatever libblas.so.3 the loader
// found; only OpenBLAS's OpenMP build shares LibTorch's thread pool (cmake/openblas_openmp.cmake).
#pragma once

#include <string>

namespace adalora {

/// How the loaded BLAS runs its threads.
enum class BlasThreading { kOpenMP, kPthread, kSequential, kNotOpenBlas };

BlasThreading blas_threading();

/// One line for logs and benchmark output, e.g. "OpenBLAS 0.3.21 (openmp) ...".
std::string blas_description();

/// "openmp", "pthread", "sequential" or "not-openblas".
const char* to_string(BlasThreading threading);

}  // namespace adalora
