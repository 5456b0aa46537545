// Field-checked JSON access: every error names the file, the field path and what was expected.
// Uses nlohmann::json (Debian's nlohmann-json3-dev).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "adalora/core/error.h"

namespace adalora::io {

using Json = nlohmann::json;

/// Parses a JSON file. Throws Error "<path>: invalid JSON at byte N: ..." or "cannot open".
Json load_json_file(const std::string& path);

/// Serialises with 2-space indent (HF's save_pretrained style) and writes atomically.
void save_json_file(const std::string& path, const Json& value);

/// A JSON object together with the name of the file it came from, for error messages.
class JsonObject {
 public:
  JsonObject(const Json& value, std::string source);

  bool has(const std::string& field) const;
  bool is_null(const std::string& field) const;
  const Json& raw(const std::string& field) const;  // throws when missing

  /// Required field of type T; throws "<source>: <field>: expected <type>, got <json>".
  template <typename T>
  T get(const std::string& field) const {
    const Json& v = raw(field);
    return convert<T>(v, field);
  }
  /// Optional field; `fallback` when missing or null.
  template <typename T>
  T get_or(const std::string& field, T fallback) const {
    if (!has(field) || is_null(field)) return fallback;
    return convert<T>(raw(field), field);
  }
  template <typename T>
  std::optional<T> get_optional(const std::string& field) const {
    if (!has(field) || is_null(field)) return std::nullopt;
    return convert<T>(raw(field), field);
  }
  /// A nested object, with source "<source>: <field>".
  JsonObject object(const std::string& field) const;

  const Json& json() const { return value_; }
  const std::string& source() const { return source_; }

 private:
  template <typename T>
  T convert(const Json& v, const std::string& field) const {
    try {
      check_type<T>(v, field);
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      throw Error(str_cat(source_, ": ", field, ": expected ", type_name<T>(), ", got ", v.dump()));
    }
  }
  template <typename T>
  void check_type(const Json& v, const std::string& field) const;
  template <typename T>
  static const char* type_name();

  const Json& value_;  // not owned: the Json must outlive this view
  std::string source_;
};

}  // namespace adalora::io

#include "adalora/io/json_impl.h"
