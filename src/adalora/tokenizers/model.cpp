// Vocab bookkeeping shared by the models (see model.h).
#include "adalora/tokenizers/model.h"

#include <nlohmann/json.hpp>

#include "adalora/core/error.h"

namespace adalora::tokenizers {

void Vocab::add(const std::string& token, int64_t id) {
  ADALORA_CHECK(id >= 0 && id <= kMaxTokenId, "vocab: token \"", token, "\": expected an id in [0, ",
                kMaxTokenId, "], got ", id);
  ids[token] = id;
  if (tokens.size() <= static_cast<size_t>(id)) tokens.resize(static_cast<size_t>(id) + 1);
  tokens[static_cast<size_t>(id)] = token;
}

Vocab vocab_from_json(const nlohmann::json& object, const std::string& where) {
  ADALORA_CHECK(object.is_object(), where, ": vocab: expected an object {token: id}, got ", object.type_name());
  Vocab vocab;
  for (const auto& [token, id] : object.items()) {
    // Checked before the cast: a float or a uint64 beyond int64 would not convert exactly. Floats
    // are not ids (HF's tokenizers reject them too).
    const bool in_range =
        id.is_number_unsigned() ? id.get<uint64_t>() <= static_cast<uint64_t>(kMaxTokenId)
                                : id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() <= kMaxTokenId;
    ADALORA_CHECK(in_range, where, ": vocab: token \"", token, "\": expected an id in [0, ", kMaxTokenId,
                  "], got ", id.dump());
    vocab.add(token, id.get<int64_t>());
  }
  return vocab;
}

}  // namespace adalora::tokenizers
