#include "adalora/train/grad_clip.h"

namespace adalora::train {

torch::Tensor total_grad_norm(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : parameters) {
    if (p.grad().defined()) norms.push_back(p.grad().data().norm(2));
  }
  if (norms.empty()) return {};
  return norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);  // []
}

void scale_gradients(const std::vector<torch::Tensor>& parameters, const torch::Tensor& total_norm,
                     double max_norm) {
  if (!total_norm.defined()) return;
  const auto coef = torch::clamp(max_norm / (total_norm + 1e-6), c10::nullopt, 1.0);  // []
  for (const auto& p : parameters) {
    if (p.grad().defined()) p.grad().data().mul_(coef);
  }
}

}  // namespace adalora::train
