// Template details of io/json.h: strict type checks (no silent bool→int or float→int conversion).
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace adalora::io {

template <typename T>
struct JsonTypeName {
  static const char* get() { return "a value of the right type"; }
};
template <> struct JsonTypeName<bool> { static const char* get() { return "a boolean"; } };
template <> struct JsonTypeName<int> { static const char* get() { return "an integer"; } };
template <> struct JsonTypeName<int64_t> { static const char* get() { return "an integer"; } };
template <> struct JsonTypeName<double> { static const char* get() { return "a number"; } };
template <> struct JsonTypeName<float> { static const char* get() { return "a number"; } };
template <> struct JsonTypeName<std::string> { static const char* get() { return "a string"; } };
template <> struct JsonTypeName<std::vector<std::string>> {
  static const char* get() { return "a list of strings"; }
};
template <> struct JsonTypeName<std::vector<int64_t>> {
  static const char* get() { return "a list of integers"; }
};
template <> struct JsonTypeName<std::vector<bool>> {
  static const char* get() { return "a list of booleans"; }
};

template <typename T>
const char* JsonObject::type_name() {
  return JsonTypeName<T>::get();
}

template <typename T>
void JsonObject::check_type(const Json& v, const std::string& field) const {
  bool ok = true;
  if constexpr (std::is_same_v<T, bool>) {
    ok = v.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    ok = v.is_number_integer() ||
         (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  } else if constexpr (std::is_floating_point_v<T>) {
    ok = v.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    ok = v.is_string();
  }
  if (!ok) throw Error(str_cat(source_, ": ", field, ": expected ", type_name<T>(), ", got ", v.dump()));
}

}  // namespace adalora::io
