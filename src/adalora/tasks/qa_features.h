// Question-answering features as HF transformers v4.40.2 examples/pytorch/question-answering/
// run_qa.py makes them (`prepare_train_features` and `prepare_validation_features`, which share
// one tokenisation): the question (left-stripped, as run_qa.py does) first, the context second,
// truncation of the context only ("only_second") to `max_seq_length` tokens with windows that
// overlap by `doc_stride` tokens, one feature per window.
//
// Training label of a window: the answer's first and last token (HF's two while-loops over the
// window's offsets, first answer only), or the CLS index when the answer is not fully inside the
// window or the question has no answer (v2). The loops are HF's, edge case included: when the
// answer starts in the window's last context token, the start loop runs past it over the final
// [SEP] (offset (0, 0)) and the start becomes the last token of the window, after the end — the
// case run_qa.py's comment calls "we could go after the last offset". We pad dynamically, so this
// is run_qa.py with --pad_to_max_length False (with padding to 384 HF's start would be the last pad).
//
// Evaluation keeps, per window, the offsets of the context tokens only (nullopt elsewhere), as
// prepare_validation_features does, and the example it belongs to (`example_id`).
// Not here: left padding (question second, for tokenizers that pad on the left).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/data/squad.h"
#include "adalora/tokenizers/tokenizer.h"

namespace adalora::tasks {

struct QaFeatureOptions {
  int64_t max_seq_length = 384;  ///< tokens per window, special tokens included
  int64_t doc_stride = 128;      ///< tokens shared by consecutive windows of one context
};

/// One window of one example.
struct QaFeature {
  size_t example_index = 0;              ///< index of the example in the input list
  std::vector<int64_t> input_ids;        ///< [tokens]
  std::vector<int64_t> token_type_ids;   ///< [tokens]
  /// [tokens]: (start, end) code points in the context for context tokens; nullopt for the
  /// question's and the special tokens.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> context_offsets;
  int64_t cls_index = 0;       ///< position of [CLS] / <s> (0 when absent)
  int64_t start_position = 0;  ///< training label (see the file comment)
  int64_t end_position = 0;
};

/// The features of `examples` in order (all windows of example 0, then of example 1, …). Throws
/// adalora::Error naming the example id when its question leaves no room for the context or
/// doc_stride is not below the room left.
std::vector<QaFeature> prepare_qa_features(const std::vector<data::SquadExample>& examples,
                                           const tokenizers::Tokenizer& tokenizer,
                                           const QaFeatureOptions& options);

/// Python's str.lstrip() with no argument (removes leading str.isspace() characters).
std::string python_lstrip(const std::string& text);

}  // namespace adalora::tasks
