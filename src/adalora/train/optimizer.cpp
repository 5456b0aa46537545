// AdamW parameter groups as HF Trainer builds them (see optimizer.h).
#include "adalora/train/optimizer.h"

#include <algorithm>
#include <cctype>

#include "adalora/core/error.h"

namespace adalora::train {

bool is_no_decay_parameter(const std::string& name) {
  if (name.find("bias") != std::string::npos) return true;
  const size_t last_dot = name.rfind('.');
  if (last_dot == std::string::npos) return false;
  const size_t owner_begin = name.rfind('.', last_dot - 1);
  std::string owner =
      name.substr(owner_begin == std::string::npos ? 0 : owner_begin + 1,
                  last_dot - (owner_begin == std::string::npos ? 0 : owner_begin + 1));
  std::transform(owner.begin(), owner.end(), owner.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return owner.find("norm") != std::string::npos || owner.rfind("ln_", 0) == 0;
}

ParameterGroups split_parameter_groups(const torch::nn::Module& model) {
  ParameterGroups groups;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    if (!item.value().requires_grad()) continue;
    if (is_no_decay_parameter(item.key())) {
      groups.no_decay_names.push_back(item.key());
      groups.no_decay.push_back(item.value());
    } else {
      groups.decay_names.push_back(item.key());
      groups.decay.push_back(item.value());
    }
  }
  return groups;
}

std::unique_ptr<torch::optim::AdamW> build_adamw(const torch::nn::Module& model,
                                                 const AdamWConfig& config) {
  ParameterGroups groups = split_parameter_groups(model);
  ADALORA_CHECK(!groups.decay.empty() || !groups.no_decay.empty(),
                "optimizer: parameters: expected at least one with requires_grad, got none "
                "(was a PEFT method attached?)");
  auto options = [&](double weight_decay) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(config.learning_rate)
            .betas({config.beta1, config.beta2})
            .eps(config.eps)
            .weight_decay(weight_decay)
            .amsgrad(false));
  };
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  param_groups.emplace_back(std::move(groups.decay), options(config.weight_decay));
  param_groups.emplace_back(std::move(groups.no_decay), options(0.0));
  // The defaults only fill options a group leaves unset; every group sets all of them.
  return std::make_unique<torch::optim::AdamW>(std::move(param_groups), *options(0.0));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace adalora::train
