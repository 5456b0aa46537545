#include "adalora/core/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <string>
#include <thread>

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
  return at::get_num_threads();
}

}  // namespace adalora
