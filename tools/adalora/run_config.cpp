#include "tools/adalora/run_config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "adalora/core/error.h"

namespace adalora::cli {
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> preset_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("ADALORA_PRESETS_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back("presets");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "presets");
#ifdef ADALORA_SOURCE_DIR
  dirs.push_back(fs::path(ADALORA_SOURCE_DIR) / "presets");
#endif
  return dirs;
}

void rebase_paths(io::Json& j, const fs::path& file) {
  const fs::path base = fs::absolute(file).parent_path();
  const bool has_data_dir = j.contains("data_dir");
  for (const char* key : {"model", "tokenizer", "data_dir", "train_file", "eval_file", "output_dir"}) {
    if (!j.contains(key) || !j.at(key).is_string()) continue;  // type errors are the trainer's to report
    if (has_data_dir && (std::string(key) == "train_file" || std::string(key) == "eval_file")) continue;
    const fs::path p = j.at(key).get<std::string>();
    if (p.empty() || p.is_absolute()) continue;
    j[key] = (base / p).lexically_normal().string();
  }
}

}  // namespace

std::string find_preset(const std::string& value) {
  std::error_code ec;
  if (fs::is_regular_file(value, ec)) return value;
  const std::string file = value.size() > 5 && value.compare(value.size() - 5, 5, ".json") == 0 ? value : value + ".json";
  std::string searched;
  for (const auto& dir : preset_dirs()) {
    const fs::path candidate = dir / file;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    searched += "\n  " + candidate.string();
  }
  throw Error(str_cat("--preset ", value, ": no such file, and no preset of that name in:", searched,
                      "\n(built-in presets: demo, glue/<task>_<budget> — see presets/README.md)"));
}

io::Json merge_run_config(const std::string& preset, const std::string& config_file, const io::Json& flags,
                          std::string* source) {
  io::Json merged = io::Json::object();
  std::string from;
  for (const auto& file : {preset.empty() ? std::string() : find_preset(preset), config_file}) {
    if (file.empty()) continue;
    io::Json j = io::load_json_file(file);
    ADALORA_CHECK(j.is_object(), file, ": expected a JSON object");
    rebase_paths(j, file);
    for (auto& [k, v] : j.items()) merged[k] = v;
    from += (from.empty() ? "" : " + ") + file;
  }
  for (auto& [k, v] : flags.items()) {
    merged[k] = v;
    // A flag wins over a comparison's per-run value too (`--preset demo --tinit 50`).
    if (merged.contains("compare") && merged.at("compare").is_array()) {
      for (auto& run : merged["compare"]) {
        if (run.is_object() && run.contains(k) && k != "method" && k != "name") run[k] = v;
      }
    }
  }
  if (!flags.empty()) from += from.empty() ? "command line" : " + command line";
  if (source) *source = from.empty() ? "command line" : from;
  return merged;
}

}  // namespace adalora::cli
