// The message of the adalora::Error that `f` throws, or "<no error>": for tests of what an error says.
#pragma once

#include <functional>
#include <string>

#include "adalora/core/error.h"

namespace adalora::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace adalora::testing
