#include "adalora/peft/full_finetune.h"

#include "adalora/peft/selected_parameters.h"

namespace adalora::peft {

MethodPtr attach_full_finetuning(torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (auto& p : model.named_parameters()) {
    p.value().set_requires_grad(true);
    params.emplace_back(p.key(), p.value());
  }
  return selected_parameters_method("full", std::move(params));
}

MethodPtr make_full_finetuning(torch::nn::Module& model, const io::Json&, int64_t) {
  return attach_full_finetuning(model);
}

}  // namespace adalora::peft
