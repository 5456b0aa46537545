// Template details of io/json.h: strict type checks (no silent bool→int or float→int conversion).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
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

namespace detail {
// Whether the integral JSON number `v` (an integer, or a float with no fraction) has a value of T.
// Converting one that has not is undefined behaviour (a float) or wraps (an integer); found by
// fuzz/json_fuzzer.cpp with {"a": 1e300}.
template <typename T>
bool integer_fits(const Json& v) {
  using Limits = std::numeric_limits<T>;
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(Limits::max());
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if constexpr (std::is_signed_v<T>) {
      return x >= static_cast<int64_t>(Limits::min()) && x <= static_cast<int64_t>(Limits::max());
    } else {
      return x >= 0 && static_cast<uint64_t>(x) <= static_cast<uint64_t>(Limits::max());
    }
  }
  // 2 · (max / 2 + 1) is max + 1 (a power of two) without overflowing T.
  const double d = v.get<double>();
  return d >= static_cast<double>(Limits::lowest()) && d < 2.0 * static_cast<double>(Limits::max() / 2 + 1);
}
}  // namespace detail

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
    if (ok && !detail::integer_fits<T>(v)) {
      throw Error(str_cat(source_, ": ", field, ": expected an integer in [", +std::numeric_limits<T>::min(), ", ",
                          +std::numeric_limits<T>::max(), "], got ", v.dump()));
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    ok = v.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    ok = v.is_string();
  }
  if (!ok) throw Error(str_cat(source_, ": ", field, ": expected ", type_name<T>(), ", got ", v.dump()));
}

}  // namespace adalora::io
