#include "adalora/core/json_depth.h"

#include "adalora/core/error.h"

namespace adalora {

void check_json_depth(std::string_view text, const std::string& source, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character (\" does not end the string)
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ADALORA_CHECK(++depth <= limit, source, ": JSON nests deeper than ", limit,
                    " levels at byte ", i, " (limit of this reader; a real file nests a few levels)");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

}  // namespace adalora
