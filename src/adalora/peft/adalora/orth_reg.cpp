#include "adalora/peft/adalora/orth_reg.h"

#include <map>

namespace adalora::peft {
namespace {

// ‖G − I‖_F per batch entry with a gradient of 0 where the norm is 0 (PyTorch's norm backward
// masks that case; a plain sqrt would give NaN). deviations: [n, r, r] → [n]
torch::Tensor frobenius_norms(const torch::Tensor& deviations) {
  auto squared = deviations.pow(2).sum({1, 2});
  auto safe = torch::where(squared > 0, squared, torch::ones_like(squared));
  return torch::where(squared > 0, safe.sqrt(), torch::zeros_like(squared));
}

}  // namespace

torch::Tensor orthogonal_regularizer(const std::vector<std::shared_ptr<SvdAdapter>>& adapters,
                                     OrthRegForm form) {
  TORCH_CHECK(!adapters.empty(), "orthogonal_regularizer: no adapters");
  std::vector<torch::Tensor> rows, columns;
  for (const auto& adapter : adapters) {
    rows.push_back(adapter->lora_A);
    columns.push_back(adapter->lora_B);
  }
  return orthogonal_regularizer(rows, columns, form);
}

torch::Tensor orthogonal_regularizer(const std::vector<torch::Tensor>& rows,
                                     const std::vector<torch::Tensor>& columns, OrthRegForm form) {
  TORCH_CHECK(!rows.empty() && rows.size() == columns.size(),
              "orthogonal_regularizer: expected as many A as B factors, at least one");
  // Group the Gram matrices by shape so that each group is one batched multiply.
  std::map<std::pair<int64_t, int64_t>, std::vector<torch::Tensor>> a_groups, b_groups;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size(0) == 0) continue;  // rank 0 contributes exactly 0 (still counted in N below)
    a_groups[{rows[i].size(0), rows[i].size(1)}].push_back(rows[i]);
    b_groups[{columns[i].size(0), columns[i].size(1)}].push_back(columns[i]);
  }
  const auto& ref = rows.front();
  torch::Tensor total = torch::zeros({}, ref.options());
  auto accumulate = [&](const torch::Tensor& stacked, bool rows) {
    // rows: A Aᵀ ([n, r, in] → [n, r, r]); columns: Bᵀ B ([n, out, r] → [n, r, r]).
    auto gram = rows ? torch::bmm(stacked, stacked.transpose(1, 2))
                     : torch::bmm(stacked.transpose(1, 2), stacked);
    const int64_t r = gram.size(1);
    auto dev = gram - torch::eye(r, gram.options()).unsqueeze(0);
    auto part = form == OrthRegForm::PeftMean ? frobenius_norms(dev).sum() : dev.pow(2).sum();
    total = total + part;
  };
  for (auto& [shape, group] : a_groups) accumulate(torch::stack(group), true);
  for (auto& [shape, group] : b_groups) accumulate(torch::stack(group), false);
  if (form == OrthRegForm::PeftMean) total = total / static_cast<double>(2 * rows.size());
  return total;
}

OrthogonalityDeviation orthogonality_deviation(const std::vector<std::shared_ptr<SvdAdapter>>& adapters) {
  torch::NoGradGuard no_grad;
  OrthogonalityDeviation d;
  for (const auto& adapter : adapters) {
    if (adapter->rank() == 0) continue;
    const torch::Tensor q = adapter->lora_A.to(torch::kFloat64);  // [r, in]
    const torch::Tensor p = adapter->lora_B.to(torch::kFloat64);  // [out, r]
    const torch::Tensor eye = torch::eye(q.size(0), q.options());  // [r, r]
    d.p += (torch::mm(p.t(), p) - eye).pow(2).sum().item<double>();
    d.q += (torch::mm(q, q.t()) - eye).pow(2).sum().item<double>();
  }
  return d;
}

}  // namespace adalora::peft
