// Atomic file writes: write to a temporary file beside the target, flush and fsync, then rename over
// the target. A crash mid-write leaves the old file intact, never a truncated one.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace adalora::io {

/// Writes `bytes` to `path` atomically. Throws Error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& bytes);

/// Calls `write` with a stream on a temporary file, then renames it to `path` atomically.
/// If `write` throws, the temporary file is removed and `path` is untouched.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

/// Reads a whole file. Throws Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace adalora::io
