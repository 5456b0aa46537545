// The one exception type of the library, and the argument-check macro.
//
// Messages follow a compiler-style template: "<file or component>: <field>: expected <what>, got <what>"
// (plus a hint when the fix is obvious). Library code throws; only the CLI decides to exit.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace adalora {

/// Thrown for every bad input and misuse the library detects: malformed files, invalid
/// configuration, wrong shapes. The message names where, what, and what was expected.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
inline void append_all(std::ostringstream&) {}
template <typename T, typename... Rest>
void append_all(std::ostringstream& out, const T& first, const Rest&... rest) {
  out << first;
  append_all(out, rest...);
}
}  // namespace detail

/// Concatenates the arguments with operator<< into one string.
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream out;
  detail::append_all(out, args...);
  return out.str();
}

}  // namespace adalora

/// Throws adalora::Error with the streamed message when `cond` is false.
#define ADALORA_CHECK(cond, ...)                               \
  do {                                                         \
    if (!(cond)) throw ::adalora::Error(::adalora::str_cat(__VA_ARGS__)); \
  } while (false)
