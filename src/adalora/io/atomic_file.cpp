#include "adalora/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "adalora/core/error.h"

namespace adalora::io {
namespace {

std::string temp_path_for(const std::string& path) {
  std::random_device rd;
  return str_cat(path, ".tmp.", ::getpid(), ".", rd());
}

void fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return;  // best effort for directories on filesystems that refuse it
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path() && !fs::exists(target.parent_path())) {
    throw Error(str_cat(path, ": cannot write: directory ", target.parent_path().string(),
                        " does not exist"));
  }
  const std::string tmp = temp_path_for(path);
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error(str_cat(path, ": cannot open ", tmp, " for writing: ", std::strerror(errno)));
      write(out);
      out.flush();
      if (!out) throw Error(str_cat(path, ": write failed (disk full?)"));
    }
    fsync_path(tmp, false);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      throw Error(str_cat(path, ": cannot rename ", tmp, " into place: ", std::strerror(errno)));
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
  fsync_path(target.has_parent_path() ? target.parent_path().string() : ".", true);
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(path, [&](std::ostream& out) { out.write(bytes.data(), bytes.size()); });
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(str_cat(path, ": cannot open for reading: ", std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(str_cat(path, ": read failed"));
  return buffer.str();
}

}  // namespace adalora::io
