// A HuggingFace `config.json`, held as data with field-checked access.
//
// Mirrors transformers v4.40.2 PretrainedConfig only as far as the models need: each architecture
// resolves the fields it reads with HF's class defaults (see models/<arch>.cpp); this class only
// stores the JSON, names the file in every error, and derives the fields common to all
// architectures (model_type, num_labels, problem_type). It never invents defaults of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::io {

class HfConfig {
 public:
  /// `json` must be an object; `source` names it in errors (usually the config.json path).
  HfConfig(Json json, std::string source);

  /// Reads `path` (a config.json file, or a directory holding one).
  static HfConfig load(const std::string& path);

  const std::string& source() const { return source_; }
  const Json& json() const { return json_; }
  /// Mutable access, for tools that write configs (init-model, save_pretrained).
  Json& mutable_json() { return json_; }

  /// The required `model_type` string.
  std::string model_type() const;

  bool has(const std::string& field) const;
  /// Field of type T, `fallback` when absent or null; a present value of the wrong type throws
  /// "<source>: <field>: expected <type>, got <json>".
  template <typename T>
  T get(const std::string& field, T fallback) const {
    return JsonObject(json_, source_).get_or<T>(field, fallback);
  }
  template <typename T>
  std::optional<T> get_optional(const std::string& field) const {
    return JsonObject(json_, source_).get_optional<T>(field);
  }
  /// A string field that must be one of `allowed`; `fallback` when absent or null.
  std::string get_choice(const std::string& field, const std::string& fallback,
                         const std::vector<std::string>& allowed) const;

  /// HF's num_labels: len(id2label) when present, else `num_labels`, else 2.
  int64_t num_labels() const;
  /// `problem_type` when set: "regression", "single_label_classification" or
  /// "multi_label_classification".
  std::optional<std::string> problem_type() const;

  /// Throws "<source>: <field>: expected <expected>, got <got>".
  [[noreturn]] void fail(const std::string& field, const std::string& expected,
                         const std::string& got) const;

 private:
  Json json_;
  std::string source_;
};

}  // namespace adalora::io
