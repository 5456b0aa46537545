// The nesting bound applied to every JSON text before it is parsed.
//
// A hostile file of a million '[' must give an error, not exhaust the stack in the parser or in
// any recursive walk of the parsed value. Our real files nest at most ~8 deep (tokenizer.json);
// safetensors headers and configs 3.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace adalora {

inline constexpr size_t kMaxJsonDepth = 128;

/// Throws Error "<source>: JSON nests deeper than <limit> levels at byte N" when arrays/objects in
/// `text` nest deeper than `limit`. Brackets inside strings do not count. Linear, no recursion.
void check_json_depth(std::string_view text, const std::string& source, size_t limit = kMaxJsonDepth);

}  // namespace adalora
