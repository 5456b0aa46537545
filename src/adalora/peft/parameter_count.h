// Parameter counts as the paper reports them (Tables 1–3 "# Params", Figure 2's x-axis): the
// parameters a method adds and keeps — LoRA Σ r(in + out), AdaLoRA Σ r_k(in + out + 1) at its
// final ranks, Houlsby/Pfeiffer Σ (2·d·H + d + H), BitFit the biases, Full FT the whole base
// model — without the task head (modules_to_save: classifier, pooler), which every method trains
// alike; and that count as a share of the base model's parameters (embeddings included, head
// and adapters excluded). The one place these numbers are computed.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "adalora/peft/method.h"

namespace adalora::peft {

struct PaperParameterCount {
  int64_t method_parameters = 0;  ///< the paper's "# Params"
  int64_t base_parameters = 0;    ///< the base model without head and adapters
  /// method_parameters / base_parameters (Full FT: 1).
  double share() const {
    return base_parameters > 0 ? static_cast<double>(method_parameters) / static_cast<double>(base_parameters) : 0.0;
  }
};

/// Counts for `method` attached to `model`; `head_modules` are the run's modules_to_save (same
/// suffix rule as PEFT: a tensor under a module path that equals or ends with ".<name>").
PaperParameterCount paper_parameter_count(const Method& method, torch::nn::Module& model,
                                          const std::vector<std::string>& head_modules);

}  // namespace adalora::peft
