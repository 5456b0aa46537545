// Normalisers: the first stage of HF tokenizers' pipeline (tokenizers v0.19 src/normalizers/).
// Each rewrites a NormalizedString in place and keeps its alignment to the original text.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adalora/tokenizers/normalized_string.h"
#include "adalora/tokenizers/precompiled_charsmap.h"

namespace adalora::tokenizers {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  /// Rewrites `s` in place.
  virtual void normalize(NormalizedString& s) const = 0;
};
using NormalizerPtr = std::shared_ptr<const Normalizer>;

/// Builds a normaliser from its tokenizer.json object; unknown `type` → adalora::Error naming it and
/// `where` (the file).
NormalizerPtr normalizer_from_json(const nlohmann::json& j, const std::string& where);

/// BERT's normaliser (BertNormalizer); `strip_accents` < 0 means "same as lowercase".
NormalizerPtr make_bert_normalizer(bool clean_text, bool handle_chinese_chars, int strip_accents, bool lowercase);
/// SentencePiece's precompiled charsmap ("Precompiled").
NormalizerPtr make_precompiled_normalizer(PrecompiledCharsmap map);
/// Replaces every match of the regular expression `pattern` by `content` ("Replace").
NormalizerPtr make_replace_normalizer(const std::string& pattern, bool literal, const std::string& content,
                                      const std::string& where);
/// Applies `parts` in order ("Sequence").
NormalizerPtr make_sequence_normalizer(std::vector<NormalizerPtr> parts);

}  // namespace adalora::tokenizers
