// `adalora planted-rank`: the planted-rank benchmark (experiments/planted_rank.h) from the command
// line — a teacher with known low-rank updates, students with AdaLoRA (per importance score) and
// LoRA at the same total rank; prints planted vs allocated rank per matrix, Spearman, the share of
// the budget on planted matrices and the distillation losses; --out writes the same as JSON.
#include "adalora/experiments/planted_rank.h"

#include <algorithm>
#include <iostream>

#include "adalora/core/error.h"
#include "adalora/core/threads.h"
#include "adalora/experiments/planted_rank_report.h"
#include "adalora/io/json.h"
#include "tools/adalora/command.h"

namespace adalora::cli {
namespace {

struct Options {
  experiments::PlantedRankConfig config;
  std::vector<std::string> variants = experiments::planted_rank_variants();
  int64_t tinit = -1;   // < 0: the config's default (steps / 10)
  int64_t tfinal = -1;  // < 0: steps / 4
  bool quick = false;
  int threads = 0;
  std::string out;
};

int run(Options& o) {
  if (o.threads > 0) configure_threads(o.threads);
  if (o.quick) o.config.steps = experiments::kQuickSteps;
  if (o.tinit >= 0) o.config.tinit = o.tinit;
  if (o.tfinal >= 0) o.config.tfinal = o.tfinal;
  const experiments::PlantedRankConfig& c = o.config;
  const auto& known = experiments::planted_rank_variants();
  for (const auto& v : o.variants) {  // before the first run, not minutes into it
    ADALORA_CHECK(std::find(known.begin(), known.end(), v) != known.end(),
                  "--variants: expected a subset of ", experiments::planted_rank_variant_list(),
                  ", got \"", v, "\"");
  }
  c.validate();
  std::cout << "planted-rank: BERT " << c.num_hidden_layers << " layers × " << c.hidden_size
            << " hidden, " << c.steps << " steps, seed " << c.seed << ", threads "
            << at::get_num_threads() << "\n"
            << std::flush;
  io::Json results = io::Json::array();
  std::vector<experiments::PlantedRankResult> runs;
  for (const auto& variant : o.variants) {
    runs.push_back(experiments::run_planted_rank(c, variant));
    std::cout << "  " << variant << ": final loss " << runs.back().final_loss << ", "
              << runs.back().wall_seconds << " s\n"
              << std::flush;
    results.push_back(experiments::to_json(runs.back()));
  }
  std::cout << "\n" << experiments::format_table(runs);
  if (!o.out.empty()) {
    io::save_json_file(o.out, {{"config", experiments::to_json(c)},
                               {"threads", at::get_num_threads()},
                               {"results", results}});
    std::cout << "wrote " << o.out << "\n";
  }
  return 0;
}

}  // namespace

Command planted_rank_command() {
  return {
      "planted-rank",
      "Benchmark: does AdaLoRA allocate rank where known low-rank updates were planted?",
      [](CLI::App& app) {
        auto o = std::make_shared<Options>();
        auto& c = o->config;
        app.add_option("--steps", c.steps, "Optimizer steps per variant")->capture_default_str();
        app.add_option("--seed", c.seed, "Seed of base, plant, adapters and data")
            ->capture_default_str();
        app.add_option("--threads", o->threads, "LibTorch threads (default: as the tool)");
        app.add_flag("--quick", o->quick,
                     "120 steps: the allocation shows, the losses are not final");
        app.add_option("--variants", o->variants,
                       "Subset of " + experiments::planted_rank_variant_list() + " (default all)")
            ->delimiter(',');
        app.add_option("--learning-rate", c.learning_rate, "Peak learning rate")
            ->capture_default_str();
        app.add_option("--initializer-range", c.initializer_range,
                       "Init std of the random base's weights")
            ->capture_default_str();
        app.add_option("--plant-scale", c.plant_scale,
                       "Planted singular values as a multiple of ‖W‖₂")
            ->capture_default_str();
        app.add_option("--init-r", c.init_r, "AdaLoRA's initial rank per matrix")
            ->capture_default_str();
        app.add_option("--tinit", o->tinit, "AdaLoRA warm-up steps (default steps / 10)");
        app.add_option("--tfinal", o->tfinal,
                       "AdaLoRA final fixed-pattern steps (default steps / 4)");
        app.add_option("--orth-reg-weight", c.orth_reg_weight, "AdaLoRA's γ")
            ->capture_default_str();
        app.add_option("--out", o->out, "Also write config and results to this JSON file (atomic)");
        return [o] { return run(*o); };
      }};
}

}  // namespace adalora::cli
