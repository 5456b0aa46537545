// The `--dtype` spelling: the floating-point type a model's weights are loaded into and computed
// in (HF's `torch_dtype` names). float32 is the default; bfloat16 halves the weights' memory.
// Adapter parameters stay float32 whatever this is (peft/lora.cpp, peft/adalora: PEFT's
// autocast_adapter_dtype), and LLaMA-family logits come back float32 as HF returns them.
#pragma once

#include <torch/torch.h>

#include <string>

namespace adalora {

/// Parses "float32" or "bfloat16". Throws adalora::Error naming `source` (a flag or a JSON key)
/// for another spelling; "float16" is refused by name (LibTorch 1.13's CPU kernels lack half GEMM
/// and several of the models' reductions).
torch::ScalarType parse_compute_dtype(const std::string& spec, const std::string& source = "--dtype");

/// "float32", "bfloat16", … (HF's torch_dtype spelling).
std::string compute_dtype_name(torch::ScalarType dtype);

}  // namespace adalora
