#include "adalora/io/hf_config.h"

#include <algorithm>
#include <filesystem>

namespace adalora::io {

HfConfig::HfConfig(Json json, std::string source) : json_(std::move(json)), source_(std::move(source)) {
  if (!json_.is_object()) {
    throw Error(str_cat(source_, ": expected a JSON object, got ", json_.dump().substr(0, 80)));
  }
}

HfConfig HfConfig::load(const std::string& path) {
  std::string file = path;
  if (std::filesystem::is_directory(path)) file = (std::filesystem::path(path) / "config.json").string();
  if (!std::filesystem::exists(file)) {
    throw Error(str_cat(file, ": not found (a HuggingFace model folder holds config.json and "
                              "model.safetensors)"));
  }
  return HfConfig(load_json_file(file), file);
}

std::string HfConfig::model_type() const {
  if (!has("model_type")) fail("model_type", "a string such as \"bert\"", "nothing");
  return JsonObject(json_, source_).get<std::string>("model_type");
}

bool HfConfig::has(const std::string& field) const {
  return json_.contains(field) && !json_.at(field).is_null();
}

std::string HfConfig::get_choice(const std::string& field, const std::string& fallback,
                                 const std::vector<std::string>& allowed) const {
  const std::string value = get<std::string>(field, fallback);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(field, "one of " + list, Json(value).dump());
  }
  return value;
}

int64_t HfConfig::num_labels() const {
  if (has("id2label")) {
    const Json& m = json_.at("id2label");
    if (!m.is_object()) fail("id2label", "an object {\"0\": \"LABEL_0\", ...}", m.dump());
    return static_cast<int64_t>(m.size());
  }
  const int64_t n = get<int64_t>("num_labels", 2);
  if (n < 1) fail("num_labels", "a positive integer", std::to_string(n));
  return n;
}

std::optional<std::string> HfConfig::problem_type() const {
  if (!has("problem_type")) return std::nullopt;
  return get_choice("problem_type", "",
                    {"regression", "single_label_classification", "multi_label_classification"});
}

void HfConfig::fail(const std::string& field, const std::string& expected,
                    const std::string& got) const {
  throw Error(str_cat(source_, ": ", field, ": expected ", expected, ", got ", got));
}

}  // namespace adalora::io
