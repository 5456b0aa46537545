#include "adalora/io/json.h"

#include "adalora/core/json_depth.h"
#include "adalora/io/atomic_file.h"

namespace adalora::io {

Json load_json_file(const std::string& path) {
  const std::string text = read_file(path);
  check_json_depth(text, path);
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(str_cat(path, ": invalid JSON at byte ", e.byte, ": ", e.what()));
  } catch (const nlohmann::json::out_of_range& e) {  // a number beyond double's range, e.g. 1e400
    throw Error(str_cat(path, ": invalid JSON: ", e.what()));
  }
}

void save_json_file(const std::string& path, const Json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

JsonObject::JsonObject(const Json& value, std::string source)
    : value_(value), source_(std::move(source)) {
  if (!value_.is_object()) throw Error(str_cat(source_, ": expected a JSON object, got ", value_.type_name()));
}

bool JsonObject::has(const std::string& field) const { return value_.contains(field); }

bool JsonObject::is_null(const std::string& field) const {
  return value_.contains(field) && value_.at(field).is_null();
}

const Json& JsonObject::raw(const std::string& field) const {
  auto it = value_.find(field);
  if (it == value_.end()) throw Error(str_cat(source_, ": ", field, ": required field is missing"));
  return *it;
}

JsonObject JsonObject::object(const std::string& field) const {
  return JsonObject(raw(field), str_cat(source_, ": ", field));
}

}  // namespace adalora::io
