// Config fields for which a null in config.json is a broken file, not a default.
//
// HfConfig::get treats null like absent (right where HF reads None as "use the default", e.g.
// classifier_dropout, n_inner). For fields HF has no None meaning for, transformers passes None on
// and fails later (LayerNorm(eps=None)); we refuse it up front, naming the field.
#pragma once

#include <string>

#include "adalora/io/hf_config.h"

namespace adalora::io {

/// hf.get(field, fallback), but "<source>: <field>: expected a value ..., got null" when null.
template <typename T>
T get_non_null(const HfConfig& hf, const std::string& field, T fallback) {
  if (hf.json().contains(field) && hf.json().at(field).is_null()) {
    hf.fail(field, "a value (HF has no meaning for null here)", "null");
  }
  return hf.get<T>(field, fallback);
}

}  // namespace adalora::io
