// HuggingFace's `_init_weights` for encoder models (transformers v4.40.2 BertPreTrainedModel,
// DebertaV2PreTrainedModel): every adaptable Linear weight ~ N(0, std) with zero bias, every
// Embedding ~ N(0, std) with its padding row zeroed, every LayerNorm weight 1 and bias 0.
// Parameters outside those module types (e.g. an MLM output bias) are left as constructed.
#pragma once

#include <torch/torch.h>

namespace adalora::nn {

/// Re-initialises `module` and all its descendants in place as HF's `_init_weights` does.
void init_hf_weights(torch::nn::Module& module, double std);

}  // namespace adalora::nn
