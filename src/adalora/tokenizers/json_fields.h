// Optional fields of tokenizer.json's components: absent or null means the HF default.
#pragma once

#include <nlohmann/json.hpp>

namespace adalora::tokenizers {

inline bool get_bool(const nlohmann::json& j, const char* key, bool fallback) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  return j.at(key).get<bool>();
}

}  // namespace adalora::tokenizers
