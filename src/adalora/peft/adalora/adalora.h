// AdaLoRA on any LibTorch module: attach SVD adapters to the target nn::Linear layers, train with
// the optimizer-step wrapper that owns the rank allocator, save and load PEFT adapter folders.
//
//   auto adalora = peft::AdaLora::attach(*model, config);      // freezes everything else
//   torch::optim::AdamW opt(adalora.parameters(), 1e-3);
//   for (...) {
//     auto loss = adalora.add_regularizer(task_loss(model, batch));   // + γ·R(P, Q)
//     loss.backward();
//     adalora.step(opt);            // optimizer.step → update_and_allocate(t) → zero_grad
//   }
//   adalora.save("out/adapter");    // adapter_config.json + adapter_model.safetensors, as PEFT
//
// step() is the only way the allocator advances in normal use: it runs exactly once per optimizer
// step, on the accumulated gradient, after the step — the call order PEFT documents and that its
// users most often get wrong (reference §8).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adalora/peft/adalora/config.h"
#include "adalora/peft/adalora/rank_allocator.h"

namespace adalora::peft {

struct StepOptions {
  double max_grad_norm = 0;  ///< > 0: clip the total gradient norm of trainable tensors first
};

class AdaLora {
 public:
  /// Validates `config`, attaches an SvdAdapter (rank init_r) to every target linear layer of
  /// `model` in module order, freezes every other parameter except `modules_to_save`.
  static AdaLora attach(torch::nn::Module& model, const AdaLoraConfig& config);

  /// Attaches adapters as described by a PEFT adapter folder (resized by its rank_pattern) and
  /// loads its tensors. `trainable` keeps them trainable (continues with a fixed pattern).
  static AdaLora load(torch::nn::Module& model, const std::string& dir, bool trainable = false);

  /// Trainable tensors: lora_A, lora_B, lora_E of every matrix (PEFT order), then modules_to_save.
  std::vector<torch::Tensor> parameters() const;
  /// The same with their module-relative names ("encoder.layer.0.attention.query.lora_A").
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() const;

  /// γ · R(P, Q) (a 0-dim tensor with gradient).
  torch::Tensor orth_regularization() const;
  /// task_loss + γ · R(P, Q): the loss to backpropagate in every micro-batch.
  torch::Tensor add_regularizer(const torch::Tensor& task_loss) const;

  /// optimizer.step(), then update_and_allocate(global_step()), then zero_grad; advances the step.
  /// For adapters loaded from a folder (already pruned) the pattern is fixed: no allocation runs.
  AllocationResult step(torch::optim::Optimizer& optimizer, const StepOptions& options = {});

  /// PEFT's AdaLoraModel.update_and_allocate for callers that drive the optimizer themselves.
  AllocationResult update_and_allocate(int64_t global_step);

  int64_t global_step() const { return global_step_; }
  void set_global_step(int64_t step) { global_step_ = step; }

  RankAllocator& allocator() { return *allocator_; }
  const RankAllocator& allocator() const { return *allocator_; }
  const std::vector<AdaptedMatrix>& matrices() const { return allocator_->matrices(); }
  /// The configuration with the current rank_pattern.
  AdaLoraConfig config() const;

  /// Writes a PEFT adapter folder: tensors pruned to the rank pattern, no ranknum, keys
  /// "base_model.model.<path>.lora_{A,B,E}", plus modules_to_save tensors.
  void save(const std::string& dir) const;

  /// Merges every adapter into its base weight / undoes it.
  void merge();
  void unmerge();

  /// Parameters that receive gradients (adapters at their current tensor size + modules_to_save).
  int64_t trainable_parameter_count() const;
  /// Adapter parameters after pruning to the rank pattern (what save() writes, without
  /// modules_to_save): Σ_k r_k (in_k + out_k + 1).
  int64_t pruned_adapter_parameter_count() const;

 private:
  AdaLora(AdaLoraConfig config, std::vector<AdaptedMatrix> matrices,
          std::vector<std::shared_ptr<nn::LinearImpl>> layers,
          std::vector<std::pair<std::string, torch::Tensor>> modules_to_save, bool pattern_fixed);

  AdaLoraConfig config_;
  std::unique_ptr<RankAllocator> allocator_;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers_;
  std::vector<std::pair<std::string, torch::Tensor>> modules_to_save_;  // name → parameter
  int64_t global_step_ = 0;
  bool pattern_fixed_ = false;  // loaded, physically pruned adapters: no allocation
};

}  // namespace adalora::peft
