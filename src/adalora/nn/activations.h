// Activation functions by their HuggingFace names (transformers v4.40.2 activations.py ACT2FN).
//
// `gelu` is the exact erf GELU; `gelu_new` / `gelu_pytorch_tanh` / `gelu_fast` are tanh forms that
// differ from it by up to ~1e-3 — the golden tests detect a swap, so the names map one to one.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace adalora::nn {

enum class Activation { Gelu, GeluNew, GeluPytorchTanh, GeluFast, QuickGelu, Relu, Silu, Tanh, Sigmoid, Linear };

/// The HF names accepted by activation_from_name, in table order.
const std::vector<std::string>& activation_names();
/// `name` → Activation; throws "<source>: <field>: expected one of gelu, ..., got \"name\"".
Activation activation_from_name(const std::string& name, const std::string& source = "config.json",
                                const std::string& field = "hidden_act");
/// The HF name of `act`.
const std::string& activation_name(Activation act);
/// Applies `act` elementwise. x: any shape → same shape.
torch::Tensor apply_activation(Activation act, const torch::Tensor& x);

}  // namespace adalora::nn
