// The request stream of `generate` and `logits`: one JSON object per non-blank line of a file, or
// of standard input when the path is empty.
#pragma once

#include <functional>
#include <string>

#include "adalora/io/json.h"

namespace adalora::cli {

/// Calls `handle` for every request in order with its fields and its place ("<file>:<line>").
/// Unreadable file, invalid JSON or a non-object line → Error naming the place.
void for_each_jsonl_request(
    const std::string& path,
    const std::function<void(const io::JsonObject& fields, const std::string& where)>& handle);

}  // namespace adalora::cli
