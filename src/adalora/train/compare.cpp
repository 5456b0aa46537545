#include "adalora/train/compare.h"

#include <filesystem>
#include <set>

#include "adalora/core/error.h"
#include "adalora/peft/registry.h"

namespace adalora::train {
namespace fs = std::filesystem;

namespace {

// The F1 a reader expects next to accuracy: the task's own F1 (MRPC, QQP: of the positive class),
// otherwise the macro average over labels (generic classification).
const char* f1_metric_of(const FineTuneResult& r, const std::string& split) {
  for (const char* m : {"f1", "macro_f1"}) {
    if (r.metrics.count(split + "/" + m)) return m;
  }
  return nullptr;
}

}  // namespace

bool is_comparison(const io::Json& config) { return config.is_object() && config.contains("compare"); }

std::vector<MethodSummary> compare_methods(const io::Json& config, const std::string& source,
                                           const std::function<void(size_t, const std::string&)>& on_start,
                                           StepCallback progress) {
  ADALORA_CHECK(is_comparison(config), source, ": compare: expected a list of runs, got none");
  const io::Json& runs = config.at("compare");
  ADALORA_CHECK(runs.is_array() && !runs.empty(), source,
                ": compare: expected a non-empty list of objects like {\"method\": \"lora\", \"r\": 8}");
  ADALORA_CHECK(config.contains("output_dir") && config.at("output_dir").is_string() &&
                    !config.at("output_dir").get<std::string>().empty(),
                source, ": output_dir: expected the folder for the runs (--out), got none");
  const fs::path out = config.at("output_dir").get<std::string>();
  io::Json shared = config;
  shared.erase("compare");

  // Validate every entry before the first (long) run starts.
  std::vector<std::pair<std::string, FineTuneConfig>> plans;
  std::set<std::string> names;
  std::string known_methods;  // for the message; the registry is the one list
  for (const auto& m : peft::method_names()) known_methods += (known_methods.empty() ? "" : ", ") + m;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string where = str_cat(source, ": compare[", i, "]");
    const io::Json& entry = runs[i];
    ADALORA_CHECK(entry.is_object() && entry.contains("method") && entry.at("method").is_string(), where,
                  ": expected an object with \"method\" (one of ", known_methods, ")");
    io::Json merged = shared;
    std::string name = entry.at("method").get<std::string>();
    for (const auto& [k, v] : entry.items()) {
      if (k == "name") {
        ADALORA_CHECK(v.is_string() && !v.get<std::string>().empty(), where, ": name: expected a non-empty string");
        name = v.get<std::string>();
      } else {
        merged[k] = v;
      }
    }
    ADALORA_CHECK(name.find('/') == std::string::npos && name != "." && name != "..", where, ": name: \"", name,
                  "\" is used as a folder name; expected no '/'");
    ADALORA_CHECK(names.insert(name).second, where, ": name: \"", name,
                  "\" is used twice; give one of the runs another \"name\"");
    merged["output_dir"] = (out / name).string();
    plans.emplace_back(name, fine_tune_config_from_json(merged, where));
  }

  std::vector<MethodSummary> summaries;
  io::Json all = io::Json::object();
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& [name, plan] = plans[i];
    if (on_start) on_start(i, name);
    MethodSummary s;
    s.name = name;
    s.method = plan.method;
    s.result = fine_tune(plan, progress);
    if (s.result.train.stopped) break;  // an interrupted run: its checkpoint, no summary
    const FineTuneResult& r = s.result;
    // The headline numbers are the test set's when a dev split did the selecting.
    const std::string primary_split = r.primary_metric.substr(0, r.primary_metric.find('/'));
    const std::string split = r.metrics.count("test/" + r.primary_metric.substr(primary_split.size() + 1))
                                  ? "test" : primary_split;
    io::Json j = io::Json::object();
    j["method"] = plan.method;
    if (r.metrics.count(split + "/accuracy")) j["accuracy"] = r.metrics.at(split + "/accuracy");
    if (const char* f1 = f1_metric_of(r, split)) {
      j["f1"] = r.metrics.at(split + "/" + f1);
      j["f1_metric"] = f1;
    }
    j["trainable_params"] = r.kept_parameters;
    j["trainable_params_during_training"] = r.trainable_parameters;
    if (r.final_total_rank) j["final_total_rank"] = *r.final_total_rank;
    j["wall_seconds"] = r.wall_seconds;
    j["optimizer_steps"] = r.train.global_step;
    j["eval_split"] = split;
    j["metrics"] = r.metrics;
    j["output_dir"] = r.output_dir;
    s.json = j;
    all[name] = j;
    io::save_json_file((out / "results.json").string(), all);
    summaries.push_back(std::move(s));
  }
  return summaries;
}

}  // namespace adalora::train
