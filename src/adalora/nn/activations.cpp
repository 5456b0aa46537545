#include "adalora/nn/activations.h"

#include <cmath>
#include <utility>

#include "adalora/core/error.h"

namespace adalora::nn {
namespace {

const std::vector<std::pair<std::string, Activation>>& table() {
  // "gelu_python" and "swish" are HF aliases of "gelu" and "silu".
  static const std::vector<std::pair<std::string, Activation>> t = {
      {"gelu", Activation::Gelu},           {"gelu_python", Activation::Gelu},
      {"gelu_new", Activation::GeluNew},    {"gelu_pytorch_tanh", Activation::GeluPytorchTanh},
      {"gelu_fast", Activation::GeluFast},  {"quick_gelu", Activation::QuickGelu},
      {"relu", Activation::Relu},           {"silu", Activation::Silu},
      {"swish", Activation::Silu},          {"tanh", Activation::Tanh},
      {"sigmoid", Activation::Sigmoid},     {"linear", Activation::Linear},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, act] : table()) out.push_back(name);
    return out;
  }();
  return names;
}

Activation activation_from_name(const std::string& name, const std::string& source,
                                const std::string& field) {
  for (const auto& [n, act] : table()) {
    if (n == name) return act;
  }
  std::string list;
  for (const auto& n : activation_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error(str_cat(source, ": ", field, ": expected one of ", list, ", got \"", name, "\""));
}

const std::string& activation_name(Activation act) {
  for (const auto& [n, a] : table()) {
    if (a == act) return n;
  }
  throw Error("nn::activation_name: unknown activation");
}

torch::Tensor apply_activation(Activation act, const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  switch (act) {
    case Activation::Gelu:
      return torch::gelu(x);
    case Activation::GeluNew: {
      // 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))
      const double c = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + torch::tanh(c * (x + 0.044715 * torch::pow(x, 3.0))));
    }
    case Activation::GeluPytorchTanh:
      return torch::gelu(x, "tanh");
    case Activation::GeluFast:
      return 0.5 * x * (1.0 + torch::tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)));
    case Activation::QuickGelu:
      return x * torch::sigmoid(1.702 * x);
    case Activation::Relu:
      return torch::relu(x);
    case Activation::Silu:
      return torch::silu(x);
    case Activation::Tanh:
      return torch::tanh(x);
    case Activation::Sigmoid:
      return torch::sigmoid(x);
    case Activation::Linear:
      return x;
  }
  throw Error("nn::apply_activation: unknown activation");
}

}  // namespace adalora::nn
