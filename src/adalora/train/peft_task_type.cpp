#include "adalora/train/peft_task_type.h"

namespace adalora::train {

const char* peft_task_type(models::TaskHead head) {
  switch (head) {
    case models::TaskHead::SequenceClassification: return "SEQ_CLS";
    case models::TaskHead::TokenClassification: return "TOKEN_CLS";
    case models::TaskHead::QuestionAnswering: return "QUESTION_ANS";
    case models::TaskHead::CausalLM: return "CAUSAL_LM";
    case models::TaskHead::Seq2SeqLM: return "SEQ_2_SEQ_LM";
    case models::TaskHead::None:
    case models::TaskHead::MaskedLM: return "";
  }
  return "";
}

}  // namespace adalora::train
