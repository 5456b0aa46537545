// Post-processors: add the special tokens and type ids of the model's input template around one
// or two encoded sequences (HF tokenizers v0.19 src/processors/: TemplateProcessing,
// BertProcessing, RobertaProcessing, ByteLevel, Sequence).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adalora/tokenizers/encoding.h"

namespace adalora::tokenizers {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  /// Number of special tokens added to a single text (pair = false) or a pair.
  virtual size_t added_tokens(bool pair) const = 0;
  /// Processes the encodings (any overflowing windows included) without merging them.
  virtual std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const = 0;
};
using PostProcessorPtr = std::shared_ptr<const PostProcessor>;

/// From a tokenizer.json object; unknown `type` → adalora::Error naming it and `where`.
PostProcessorPtr post_processor_from_json(const nlohmann::json& j, const std::string& where);

/// [CLS] A [SEP] / [CLS] A [SEP] B [SEP] with type ids 0 / 0 / 1.
PostProcessorPtr make_bert_processing(std::pair<std::string, int64_t> cls, std::pair<std::string, int64_t> sep);
/// <s> A </s> / <s> A </s> </s> B </s>; trim_offsets drops leading/trailing spaces from offsets.
PostProcessorPtr make_roberta_processing(std::pair<std::string, int64_t> cls, std::pair<std::string, int64_t> sep,
                                         bool trim_offsets, bool add_prefix_space);
/// Byte-level offset trimming only.
PostProcessorPtr make_byte_level_processing(bool trim_offsets, bool add_prefix_space);
/// TemplateProcessing from HF's "single"/"pair" piece lists, e.g. "<s> $A </s>" and "<s> $A </s> </s> $B </s>"
/// (a piece "$B:1" gives type id 1); `specials` maps each special token to its id.
PostProcessorPtr make_template_processing(const std::string& single, const std::string& pair,
                                          const std::vector<std::pair<std::string, int64_t>>& specials);

}  // namespace adalora::tokenizers
