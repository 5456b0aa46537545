// SentencePiece's own normaliser (sentencepiece v0.1.97 src/normalizer.cc Normalizer::Normalize),
// for SentencePiece BPE models read from their .model file: user-defined symbols kept verbatim, the
// precompiled charsmap applied by longest match, leading/trailing/repeated spaces removed when
// remove_extra_whitespaces, ' ' escaped as U+2581 when escape_whitespaces, and the dummy U+2581
// added in front (or at the end with treat_whitespace_as_suffix) when add_dummy_prefix.
// HF's converted pipelines (Precompiled + Replace + Metaspace) approximate this; this is the exact
// rule. Alignment: every output character carries the original span of the chunk it came from;
// the dummy prefix an empty span where the text starts.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "adalora/tokenizers/normalizers.h"
#include "adalora/tokenizers/sentencepiece_proto.h"

namespace adalora::tokenizers {

/// SentencePiece's PrefixMatcher: the longest user-defined symbol starting at a position.
class SpmSymbolMatcher {
 public:
  explicit SpmSymbolMatcher(const std::vector<std::u32string>& symbols);
  /// Length in code points of the longest symbol that `text` has at `pos`; 0 when none.
  size_t match(std::u32string_view text, size_t pos) const;
  bool empty() const { return by_first_.empty(); }

 private:
  std::unordered_map<char32_t, std::vector<std::u32string>> by_first_;  // longest first
};

/// The user-defined pieces of a model as a matcher.
SpmSymbolMatcher user_defined_symbols(const SpmModelProto& model);

/// Normalizer::Normalize for `model`'s normalizer_spec; `where` names the file in errors.
NormalizerPtr make_sentencepiece_normalizer(const SpmModelProto& model, const std::string& where);

}  // namespace adalora::tokenizers
