// Does AdaLoRA's importance score find where the signal is? The planted-rank benchmark
// (experiments/planted_rank.h): a teacher = random BERT + known low-rank updates, a student = the
// same base + adapters with budget b(T) = the planted total rank. Runs the paper's score (ipt =
// sensitivity × uncertainty), its two ablations (sensitivity, magnitude = |λ|) and LoRA at the same
// total rank; prints one JSON line per variant, then the table (planted vs allocated rank per
// matrix, Spearman, share of the budget on planted matrices, held-out distillation loss).
//
//   planted_rank_bench [--steps N] [--seed S] [--threads N] [--quick]
#include <cstdlib>
#include <iostream>
#include <string>

#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/experiments/planted_rank.h"
#include "adalora/experiments/planted_rank_report.h"

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "planted_rank_bench: " << problem
            << "\nusage: planted_rank_bench [--steps N] [--seed S] [--threads N] [--quick]\n";
  std::exit(2);
}

int64_t integer_after(int& i, int argc, char** argv) {
  const std::string flag = argv[i];
  if (i + 1 >= argc) usage(flag + ": expected a value");
  try {
    return std::stoll(argv[++i]);
  } catch (const std::exception&) {
    usage(flag + ": expected an integer, got \"" + argv[i] + "\"");
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace adalora::experiments;
  PlantedRankConfig config;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--steps") {
      config.steps = integer_after(i, argc, argv);
    } else if (arg == "--seed") {
      config.seed = static_cast<uint64_t>(integer_after(i, argc, argv));
    } else if (arg == "--threads") {
      threads = static_cast<int>(integer_after(i, argc, argv));
    } else if (arg == "--quick") {
      config.steps = adalora::experiments::kQuickSteps;
    } else {
      usage("unknown argument \"" + arg + "\"");
    }
  }
  threads = adalora::configure_threads(threads);
  try {
    std::vector<PlantedRankResult> results;
    for (const auto& variant : planted_rank_variants()) {
      results.push_back(run_planted_rank(config, variant));
      adalora::io::Json line = {{"bench", "planted_rank"},
                                {"threads", threads},
                                {"steps", config.steps},
                                {"seed", config.seed}};
      line.update(to_json(results.back()));
      std::cout << line.dump() << std::endl;
    }
    std::cout << "\n" << format_table(results);
  } catch (const adalora::Error& e) {
    std::cerr << "planted_rank_bench: " << e.what() << "\n";
    return 2;
  }
}
