// JSONL requests from a file or stdin (see jsonl_requests.h).
#include "tools/adalora/jsonl_requests.h"

#include <fstream>
#include <iostream>

#include "adalora/core/error.h"

namespace adalora::cli {

void for_each_jsonl_request(
    const std::string& path,
    const std::function<void(const io::JsonObject& fields, const std::string& where)>& handle) {
  std::ifstream file;
  if (!path.empty()) {
    file.open(path);
    ADALORA_CHECK(file, path, ": cannot open");
  }
  std::istream& in = path.empty() ? std::cin : file;
  const std::string source = path.empty() ? "<stdin>" : path;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(number);
    io::Json row;
    try {
      row = io::Json::parse(line);
    } catch (const io::Json::exception& e) {
      throw Error(where + ": expected a JSON object, got invalid JSON (" + e.what() + ")");
    }
    ADALORA_CHECK(row.is_object(), where, ": expected a JSON object, got ", row.dump());
    handle(io::JsonObject(row, where), where);
  }
}

}  // namespace adalora::cli
