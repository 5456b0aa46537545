// The task head a HuggingFace model class name stands for (BertForSequenceClassification →
// SequenceClassification, GPT2LMHeadModel → CausalLM, BartModel → None): how the golden model
// suites load a case folder whose case.json records the class it was exported from.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/models/model.h"

namespace adalora::testing {

/// The head of `hf_class` for the supported model families; nullopt for another family or suffix.
inline std::optional<models::TaskHead> head_of_hf_class(const std::string& hf_class) {
  using models::TaskHead;
  static const std::vector<std::pair<std::string, TaskHead>> suffixes = {
      {"ForSequenceClassification", TaskHead::SequenceClassification},
      {"ForTokenClassification", TaskHead::TokenClassification},
      {"ForQuestionAnswering", TaskHead::QuestionAnswering},
      {"ForMaskedLM", TaskHead::MaskedLM},
      {"ForCausalLM", TaskHead::CausalLM},
      {"LMHeadModel", TaskHead::CausalLM},  // GPT2LMHeadModel
      {"ForConditionalGeneration", TaskHead::Seq2SeqLM},
      {"Model", TaskHead::None}};
  for (const std::string family :
       {"Bart", "Bert", "Roberta", "DebertaV2", "GPT2", "Llama", "Mistral", "Qwen2"}) {
    if (hf_class.rfind(family, 0) != 0) continue;
    const std::string rest = hf_class.substr(family.size());
    for (const auto& [suffix, head] : suffixes) {
      if (rest == suffix) return head;
    }
  }
  return std::nullopt;
}

}  // namespace adalora::testing
