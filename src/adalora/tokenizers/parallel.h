// The thread pool of encode_batch: runs body(i) for i in [0, n) on up to `num_threads` threads
// (0: hardware threads), each thread taking the next index; the first exception is rethrown on the
// caller after every thread has stopped. Results are written by index, so output never depends on
// scheduling. One thread (or n <= 1) runs in order on the caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace adalora::tokenizers {

template <typename F>
void parallel_for(size_t n, int num_threads, F body) {
  size_t threads = num_threads > 0 ? static_cast<size_t>(num_threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        for (size_t i = next++; i < n; i = next++) body(i);
      } catch (...) {
        errors[t] = std::current_exception();
        next = n;
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace adalora::tokenizers
