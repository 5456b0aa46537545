// PEFT's task_type for a model head: what adapter_config.json records so that PEFT's
// AutoPeftModelFor* / PeftModel.from_pretrained rebuild the right wrapper (peft/utils/peft_types.py).
#pragma once

#include "adalora/models/model.h"

namespace adalora::train {

/// "SEQ_CLS", "TOKEN_CLS", "QUESTION_ANS", "CAUSAL_LM", "SEQ_2_SEQ_LM"; "" for a bare model and
/// for masked LM (PEFT has no task type for either: null in the file).
const char* peft_task_type(models::TaskHead head);

}  // namespace adalora::train
