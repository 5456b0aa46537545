// What every fuzz target shares: the input as a file, and which outcomes are acceptable.
//
// The parsers read files (memory mapping, format chosen by the extension), so each input is written
// to a file of the real name and parsed through the same entry point the CLI uses. A bad file must
// end in adalora::Error; any other exception escapes LLVMFuzzerTestOneInput and libFuzzer reports it
// as a crash, like a signal, a sanitizer report, a leak or a timeout.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "adalora/core/error.h"

namespace adalora::fuzz {

/// A folder of this process, created once (parallel fuzzing jobs must not share files).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("adalora_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// Writes `bytes` to scratch_dir()/`name` and returns the file's path.
inline std::string write_file(std::string_view bytes, const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `parse`; adalora::Error is the refusal a malformed file must get. Returns whether it parsed.
template <typename Parse>
bool parses_or_refuses(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const adalora::Error&) {
    return false;
  }
}

}  // namespace adalora::fuzz
