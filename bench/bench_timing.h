// The timing harness the benches share (bench/README.md: validate, then time; ratios in one run).
// A "fast path vs reference" bench runs both paths in interleaved rounds in one process, so that
// drift in load or clock speed hits both alike: a few untimed warm-up rounds, then `repeats` timed
// rounds, reported as each path's median and spread and the median of the per-round ratios.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace adalora::bench {

/// The middle element of `v` (the upper one for an even count).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// (max − min) / median: how far the rounds of one path spread.
inline double spread_over_median(const std::vector<double>& v) {
  return (*std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end())) / median(v);
}

/// Milliseconds since `start` on the steady clock.
inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// The milliseconds of every timed round of the two paths.
struct PairedTimes {
  std::vector<double> ms[2];    ///< [0]: the reference path, [1]: the fast path
  std::vector<double> paired;   ///< ms[1][i] / ms[0][i], round by round
};

/// `warmup` untimed rounds, then `repeats` timed ones; a round calls `step(0)` then `step(1)`,
/// each returning the milliseconds of its path.
template <typename Step>
PairedTimes time_interleaved(int warmup, int repeats, Step&& step) {
  for (int i = 0; i < warmup; ++i) {
    for (int path = 0; path < 2; ++path) step(path);
  }
  PairedTimes t;
  for (int i = 0; i < repeats; ++i) {
    for (int path = 0; path < 2; ++path) t.ms[path].push_back(step(path));
    t.paired.push_back(t.ms[1].back() / t.ms[0].back());
  }
  return t;
}

/// The command line of a bench over N tokens of width C: [--tokens N] [--hidden C] [--repeats R]
/// [--threads T] (0 = the library's default).
struct TokenBenchArgs {
  int64_t tokens = 1024, hidden = 768;
  int repeats = 30, threads = 0;
};

/// Reads `argv` into `args`; on --help or an unknown flag prints the usage of `bench_name` and
/// returns the exit code (0 for --help, else 2), otherwise nullopt.
inline std::optional<int> parse_token_bench_args(int argc, char** argv, const std::string& bench_name,
                                                 TokenBenchArgs& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tokens" && i + 1 < argc) args.tokens = std::stoll(argv[++i]);
    else if (a == "--hidden" && i + 1 < argc) args.hidden = std::stoll(argv[++i]);
    else if (a == "--repeats" && i + 1 < argc) args.repeats = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) args.threads = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: " << bench_name
                << " [--tokens 1024] [--hidden 768] [--repeats 30] [--threads N]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  return std::nullopt;
}

}  // namespace adalora::bench
