// Vocab bookkeeping shared by the models (see model.h).
#include "adalora/tokenizers/model.h"

namespace adalora::tokenizers {

void Vocab::add(const std::string& token, int64_t id) {
  ids[token] = id;
  if (tokens.size() <= static_cast<size_t>(id)) tokens.resize(static_cast<size_t>(id) + 1);
  tokens[static_cast<size_t>(id)] = token;
}

}  // namespace adalora::tokenizers
