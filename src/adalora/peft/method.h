// The one contract every PEFT method implements (AdaLoRA, LoRA, adapters, full fine-tuning, …), so the
// trainer and the CLI handle them alike. Methods are built by name through peft/registry.h.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::peft {

/// What a method did after one optimizer step (for logs and progress bars).
struct StepReport {
  std::optional<int64_t> budget;      ///< AdaLoRA: b(t)
  std::optional<int64_t> total_rank;  ///< AdaLoRA: kept triplets after the step
  bool masked = false;                ///< AdaLoRA: a mask ran at this step
  /// Extra numbers for the training log, computed only when the trainer logs this step (they may
  /// cost a pass over the adapters). AdaLoRA: "orth_P" = Σ‖PᵀP − I‖²_F, "orth_Q" = Σ‖QQᵀ − I‖²_F.
  std::function<std::map<std::string, double>()> log_values;
};

class Method {
 public:
  virtual ~Method() = default;

  /// The registry name: "adalora", "lora", "full", "bitfit", "houlsby", … (peft/registry.cpp).
  virtual const char* name() const = 0;

  /// Tensors the optimizer trains, with their names relative to the model.
  virtual std::vector<std::pair<std::string, torch::Tensor>> trainable() const = 0;

  /// The loss to backpropagate for one micro-batch (AdaLoRA adds γ·R(P, Q)).
  virtual torch::Tensor add_regularizer(const torch::Tensor& task_loss) const { return task_loss; }

  /// Runs after optimizer.step() and before zero_grad(), once per optimizer step, with the
  /// 0-based index of that step (AdaLoRA: importance update and budget allocation).
  virtual StepReport after_optimizer_step(int64_t step) { return {}; }

  /// Writes the method's output folder (PEFT adapter files, or the full model's tensors).
  virtual void save(const std::string& dir) const = 0;

  /// Extra state for exact resume (AdaLoRA: importance EMAs and rank pattern).
  virtual std::vector<std::pair<std::string, torch::Tensor>> state_tensors() const { return {}; }
  virtual io::Json state_json() const { return io::Json::object(); }
  virtual void load_state(const std::map<std::string, torch::Tensor>& tensors, const io::Json& json) {}

  /// Merges adapters into base weights for fast evaluation (no-op for methods without adapters).
  virtual void merge() {}
  virtual void unmerge() {}

  /// Trainable parameter count (what the paper's tables call "# Params").
  int64_t trainable_parameter_count() const {
    int64_t n = 0;
    for (const auto& [name, t] : trainable()) n += t.numel();
    return n;
  }

  /// Parameters the finished adapter keeps: AdaLoRA's pruned triplets are zeros that save() drops,
  /// so its count is Σ_k r_k (in_k + out_k + 1) at the final ranks plus modules_to_save — the
  /// paper's "# Params" at budget b(T). Every other method keeps what it trains.
  virtual int64_t kept_parameter_count() const { return trainable_parameter_count(); }

  /// True when trainable() are the model's own parameters (full fine-tuning, BitFit) rather than
  /// tensors the method added (for peft/parameter_count.h).
  virtual bool trains_base_parameters() const { return false; }
};

using MethodPtr = std::unique_ptr<Method>;

}  // namespace adalora::peft
