#include "adalora/core/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "adalora/core/blas.h"
#include "adalora/core/error.h"

namespace adalora {

int configure_threads(int requested) {
  int n = requested;
  if (n <= 0) {
    if (const char* env = std::getenv("ADALORA_NUM_THREADS"); env != nullptr && *env != '\0') {
      try {
        n = std::stoi(env);
      } catch (const std::exception&) {
        throw Error(str_cat("ADALORA_NUM_THREADS: expected a positive integer, got \"", env, "\""));
      }
      ADALORA_CHECK(n > 0, "ADALORA_NUM_THREADS: expected a positive integer, got ", n);
    }
  }
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  if (at::get_num_threads() != n) at::set_num_threads(n);
  static bool warned = false;
  if (n > 1 && !warned && blas_threading() == BlasThreading::kPthread) {
    warned = true;
    std::cerr << "warning: the loaded BLAS is OpenBLAS's pthread build, whose thread pool competes with "
                 "LibTorch's OpenMP pool for the same cores (a 2-thread step measured up to 2x slower); "
                 "link OpenBLAS's OpenMP build (cmake/openblas_openmp.cmake) or set "
                 "OPENBLAS_NUM_THREADS=1\n";
  }
  return at::get_num_threads();
}

}  // namespace adalora
