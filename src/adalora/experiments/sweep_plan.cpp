#include "adalora/experiments/sweep_plan.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "adalora/core/error.h"
#include "adalora/tasks/registry.h"
#include "adalora/train/finetune.h"

namespace adalora::experiments {
namespace fs = std::filesystem;

namespace {

// Keys of the experiment itself; everything else in the file is shared fine-tuning settings.
const std::set<std::string> kSweepKeys = {"methods", "budgets", "learning_rates", "seeds", "metric"};

std::vector<double> learning_rates(const io::Json& j, const std::string& where) {
  ADALORA_CHECK(j.is_array() && !j.empty(), where,
                ": expected a non-empty list of numbers like [5e-4, 1e-3], got ", j.dump());
  std::vector<double> out;
  for (const auto& v : j) {
    ADALORA_CHECK(v.is_number() && v.get<double>() > 0, where, ": expected positive numbers, got ", v.dump());
    out.push_back(v.get<double>());
  }
  return out;
}

void check_folder_name(const std::string& name, const std::string& where) {
  ADALORA_CHECK(!name.empty() && name.find('/') == std::string::npos && name != "." && name != "..", where,
                ": \"", name, "\" names a folder; expected a non-empty name without '/'");
}

}  // namespace

std::string learning_rate_label(double learning_rate) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, learning_rate);
    if (std::stod(buf) == learning_rate) break;
  }
  return std::string("lr") + buf;
}

SweepPlan plan_sweep(const io::Json& config, const std::string& source) {
  ADALORA_CHECK(config.is_object(), source, ": expected a JSON object, got ", config.dump());
  SweepPlan plan;
  plan.source = source;
  io::JsonObject o(config, source);
  plan.output_dir = o.get_or<std::string>("output_dir", "");
  ADALORA_CHECK(!plan.output_dir.empty(), source, ": output_dir: expected the sweep's folder (--out), got none");
  for (const char* key : {"learning_rate", "seed"}) {
    ADALORA_CHECK(!config.contains(key), source, ": ", key, ": set per cell by the grid; expected \"", key,
                  "s\" (a list) instead");
  }
  ADALORA_CHECK(config.contains("dev_fraction") && config.at("dev_fraction").is_number() &&
                    config.at("dev_fraction").get<double>() > 0,
                source, ": dev_fraction: expected a share in (0, 1) of the training file to choose the learning "
                "rate on (the eval file is then the test set), got ",
                config.contains("dev_fraction") ? config.at("dev_fraction").dump() : std::string("none"));
  const std::vector<double> shared_rates = learning_rates(
      config.contains("learning_rates") ? config.at("learning_rates") : io::Json(), source + ": learning_rates");
  ADALORA_CHECK(config.contains("seeds") && config.at("seeds").is_array() && !config.at("seeds").empty(), source,
                ": seeds: expected a non-empty list of integers like [1, 2, 3]");
  const auto seeds = o.get<std::vector<int64_t>>("seeds");
  ADALORA_CHECK(std::set<int64_t>(seeds.begin(), seeds.end()).size() == seeds.size(), source,
                ": seeds: expected distinct seeds");
  plan.metric = o.get_or<std::string>(
      "metric", tasks::find_task(o.get_or<std::string>("task", "classification")).primary_metric);
  if (config.contains("budgets")) {
    plan.budgets = o.get<std::vector<std::string>>("budgets");
    ADALORA_CHECK(!plan.budgets.empty(), source, ": budgets: expected level names like [\"small\", \"large\"]");
    for (const auto& b : plan.budgets) check_folder_name(b, source + ": budgets");
  }

  io::Json shared = config;
  for (const auto& key : kSweepKeys) shared.erase(key);
  ADALORA_CHECK(config.contains("methods") && config.at("methods").is_array() && !config.at("methods").empty(),
                source, ": methods: expected a list of objects like {\"method\": \"lora\", \"budgets\": …}");
  const io::Json& methods = config.at("methods");
  std::set<std::string> names;
  bool any_levelless = false;
  for (size_t i = 0; i < methods.size(); ++i) {
    const std::string where = str_cat(source, ": methods[", i, "]");
    const io::Json& entry = methods[i];
    ADALORA_CHECK(entry.is_object() && entry.contains("method") && entry.at("method").is_string(), where,
                  ": expected an object with \"method\" (a PEFT method name), got ", entry.dump());
    const std::string method = entry.at("method").get<std::string>();
    const std::string name = entry.contains("name") && entry.at("name").is_string()
                                 ? entry.at("name").get<std::string>() : method;
    check_folder_name(name, where + ".name");
    ADALORA_CHECK(names.insert(name).second, where, ".name: \"", name,
                  "\" is used twice; give one of the entries another \"name\"");
    plan.methods.push_back(name);
    const std::vector<double> rates =
        entry.contains("learning_rates") ? learning_rates(entry.at("learning_rates"), where + ".learning_rates")
                                         : shared_rates;
    // Level name → the keys that set it.
    std::vector<std::pair<std::string, io::Json>> levels;
    if (entry.contains("budgets")) {
      const io::Json& b = entry.at("budgets");
      ADALORA_CHECK(b.is_object(), where, ".budgets: expected an object {level: {keys}}, got ", b.dump());
      ADALORA_CHECK(!plan.budgets.empty(), where, ".budgets: the file has no top-level \"budgets\" list naming "
                                                  "the levels in order; expected one");
      for (const auto& [level, keys] : b.items()) {
        ADALORA_CHECK(std::find(plan.budgets.begin(), plan.budgets.end(), level) != plan.budgets.end(), where,
                      ".budgets.", level, ": not a level of the top-level \"budgets\"");
      }
      for (const auto& level : plan.budgets) {
        ADALORA_CHECK(b.contains(level) && b.at(level).is_object(), where, ".budgets.", level,
                      ": expected an object with the keys of that level (every method with budgets sets all)");
        levels.emplace_back(level, b.at(level));
      }
    } else {
      levels.emplace_back("-", io::Json::object());
      any_levelless = true;
    }
    io::Json method_keys = entry;
    for (const char* key : {"name", "budgets", "learning_rates"}) method_keys.erase(key);
    for (const auto& [level, keys] : levels) {
      for (const double lr : rates) {
        for (const int64_t seed : seeds) {
          SweepCell cell;
          cell.name = name;
          cell.method = method;
          cell.budget = level;
          cell.learning_rate = lr;
          cell.seed = seed;
          cell.dir = (fs::path(plan.output_dir) / name / level / learning_rate_label(lr) /
                      ("seed" + std::to_string(seed))).string();
          io::Json c = shared;
          for (const auto& [k, v] : method_keys.items()) c[k] = v;
          for (const auto& [k, v] : keys.items()) c[k] = v;
          c["learning_rate"] = lr;
          c["seed"] = seed;
          c["output_dir"] = cell.dir;
          // What `adalora train` would refuse, refused now, naming where the key came from.
          train::fine_tune_config_from_json(c, level == "-" ? where : where + ".budgets." + level);
          cell.config = std::move(c);
          plan.cells.push_back(std::move(cell));
        }
      }
    }
  }
  if (plan.budgets.empty()) plan.budgets = {"-"};
  else if (any_levelless) plan.budgets.push_back("-");
  return plan;
}

}  // namespace adalora::experiments
