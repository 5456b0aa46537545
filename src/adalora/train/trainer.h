// The fine-tuning loop: AdamW + linear warm-up/decay, gradient accumulation and clipping, the
// PEFT call protocol, periodic evaluation with a best checkpoint, a JSONL log, exact resume.
//
// Per optimizer step (reference §8, HF Trainer v4.x `_inner_training_loop`):
//   for each of the k micro-batches:  loss = method.add_regularizer(out.loss) / k;  backward
//   clip the gradient norm of method.trainable() to max_grad_norm
//   set the lr of step t from the schedule;  optimizer.step()
//   method.after_optimizer_step(t)     (AdaLoRA: importance + budget, on the accumulated gradient)
//   zero_grad;  t += 1
// The orthogonal penalty is part of every micro-batch's loss and scaled like it, so k
// micro-batches of size B give the gradient of one batch of k·B (for equal-sized micro-batches).
//
// Data: epoch e visits data::EpochSampler(n, seed).order(e) in micro-batches of B (the last one
// of an epoch may be short, as a DataLoader without drop_last). An epoch has
// steps_per_epoch = max(1, ⌊⌈n/B⌉ / k⌋) optimizer steps (HF's num_update_steps_per_epoch);
// micro-batches beyond k·steps_per_epoch in an epoch are skipped. The data position is thus a pure
// function of the global step, and resume needs no iterator state.
//
// Data parallel (set_process_group, W = world_size ranks): global micro-batch m is
// order[m·B·W, (m+1)·B·W) and rank r reads its rows [r·B, (r+1)·B) of it, so W ranks with batch B
// see exactly the batches of one process with batch B·W. At an epoch's end the global micro-batch
// may be short (s < B·W): the last ranks get fewer rows or none, and each rank's mean loss is
// weighted by n_r·W/s, so the average over ranks is still the mean over the s examples (the loss
// must be a mean over examples, as the classification and regression losses are). The token-level
// losses of causal-LM and seq2seq models are means over each shard's label tokens: the rank
// average (and likewise the mean over accumulated micro-batches) is then a mean of per-shard token
// means, not the token mean of the global batch — what HF's Trainer v4.40 does with DDP and
// gradient accumulation; shards with different label-token counts weigh equally. After backward
// the gradients are averaged in one flattened buffer per dtype; clipping, the optimizer and
// AdaLoRA's importance and masks then run on identical numbers on every rank (the budget step is
// the optimizer step). Rank 0 alone writes the log, checkpoints, best/ and adapter/; every rank
// reads the checkpoint on resume (same world size: bit-exact; another world size is refused).
//
// Outputs in output_dir: log.jsonl (one object per logged step and per evaluation),
// checkpoint/ (train_state.h, every save_steps and when a run is stopped), best/ (method.save of
// the best evaluation, with eval.json), adapter/ (method.save at the end).
// Device: the model's (move it before making the method); batches are moved there, and a step
// reads the device once, its losses and gradient norm together before the optimizer step.
// Not here: tokenisation, progress bars, signal handling (the CLI's; see StepCallback), mixed
// precision, gradient all-reduce overlapped with backward, the CUDA RNG in checkpoints.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adalora/dist/process_group.h"
#include "adalora/models/model.h"
#include "adalora/peft/method.h"
#include "adalora/train/collate.h"
#include "adalora/train/lr_schedule.h"
#include "adalora/train/train_state.h"

namespace adalora::train {

/// Training hyper-parameters; field names and defaults are HF TrainingArguments'.
struct TrainerOptions {
  double learning_rate = 5e-5;  ///< peak lr of the linear schedule
  double weight_decay = 0.0;    ///< AdamW decoupled decay (not on biases / norms)
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  int64_t warmup_steps = 0;   ///< > 0 wins over warmup_ratio
  double warmup_ratio = 0.0;  ///< of the total optimizer steps
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;  ///< > 0: the total number of optimizer steps (overrides epochs)
  int64_t per_device_train_batch_size = 8;  ///< examples per micro-batch
  int64_t gradient_accumulation_steps = 1;  ///< micro-batches per optimizer step
  double max_grad_norm = 1.0;               ///< ≤ 0: no clipping
  /// > 0: the task loss is HF's LabelSmoother on the model's logits (train/token_loss.h) instead
  /// of the model's own loss; labels shifted for causal-LM heads.
  double label_smoothing_factor = 0.0;
  uint64_t seed = 42;                       ///< torch generator (dropout) and data order
  int64_t eval_steps = 0;         ///< > 0: evaluate every eval_steps steps; always at the end
  int64_t logging_steps = 500;    ///< > 0: a log line every logging_steps steps (and at the end)
  int64_t save_steps = 500;       ///< > 0: a resume checkpoint every save_steps steps
  bool greater_is_better = true;  ///< for the primary metric
  std::string output_dir;         ///< required
  bool resume = false;  ///< continue from output_dir/checkpoint (Error when there is none)
  bool overwrite = false;  ///< replace a run already in output_dir (HF's overwrite_output_dir)
  int64_t world_size = 1;  ///< data-parallel ranks (the process group's size); batch B·W per micro-batch
  /// Distributed debug: every ΔT steps (AdaLoRA; else every step) the ranks compare a checksum of
  /// the masks and trainable tensors; a mismatch throws Error naming the step.
  bool check_replicas = false;
};

/// What an evaluation returns.
struct Evaluation {
  std::map<std::string, double> metrics;
  std::string primary_metric;  ///< the key of `metrics` that selects the best checkpoint
};

/// Evaluates `model` (already in eval mode, under NoGradGuard) after `step` optimizer steps.
using EvaluateFn = std::function<Evaluation(models::Model& model, int64_t step)>;

/// What one optimizer step did (for progress bars).
struct StepInfo {
  int64_t step = 0;  ///< optimizer steps completed (1-based number of this step)
  int64_t total_steps = 0;
  double epoch = 0;          ///< fractional epoch after this step
  double loss = 0;           ///< this step's loss (task + regulariser, mean over micro-batches)
  double learning_rate = 0;  ///< the lr this step used
  double grad_norm = 0;      ///< before clipping
  peft::StepReport report;   ///< budget, total rank
};

/// Called after every optimizer step (after logging and evaluation). Returning false stops the
/// run: a checkpoint is written and train() returns with `stopped == true`.
using StepCallback = std::function<bool(const StepInfo& info)>;

struct TrainResult {
  int64_t global_step = 0;
  bool stopped = false;  ///< a StepCallback asked to stop before the end
  std::optional<Evaluation> last_evaluation;
  std::optional<double> best_metric;
  int64_t best_step = -1;
};

class Trainer {
 public:
  /// `method` must be attached to `model`; for AdaLoRA its total_step must equal
  /// total_steps(options, train_data.size()). The trainer builds its own AdamW over the
  /// parameters of `model` that require gradients. All three must outlive the trainer.
  Trainer(models::Model& model, peft::Method& method, const EncodedDataset& train_data,
          TrainerOptions options);

  /// HF's num_update_steps_per_epoch: max(1, ⌊⌈n/(B·W)⌉ / k⌋).
  static int64_t steps_per_epoch(const TrainerOptions& options, int64_t num_examples);
  /// The run's number of optimizer steps: max_steps when > 0, else
  /// ⌈num_train_epochs · steps_per_epoch⌉ (HF). Call before making the method (AdaLoRA needs it).
  static int64_t total_steps(const TrainerOptions& options, int64_t num_examples);

  void set_evaluator(EvaluateFn evaluate) { evaluate_ = std::move(evaluate); }
  void set_step_callback(StepCallback callback) { on_step_ = std::move(callback); }
  /// Trains data-parallel over `group` (its size must equal options.world_size); the evaluator
  /// runs on every rank and must gather its results (evaluate_split with the group does).
  void set_process_group(std::shared_ptr<dist::ProcessGroup> group);

  /// Runs (or resumes) training to the end or until the callback stops it. Throws adalora::Error
  /// on a non-finite loss or gradient norm, naming the step; the last checkpoint is untouched.
  TrainResult train();

  torch::optim::AdamW& optimizer() { return *optimizer_; }
  int64_t total_steps() const { return total_steps_; }

 private:
  io::Json fingerprint() const;
  /// One optimizer step's micro-batches: forward, backward. Returns their losses, [k] float64 on
  /// the model's device (not yet read: see checked_step_loss).
  torch::Tensor accumulate_gradients(int64_t step, const std::vector<int64_t>& order);
  /// The step's loss (Σ of the k micro-batch losses read to the host); Error naming the step and
  /// micro-batch for a non-finite one.
  double checked_step_loss(int64_t step, const double* losses, int64_t count) const;
  /// Evaluates, keeps best/ up to date and logs; returns the evaluation.
  Evaluation evaluate(TrainState& state);
  void write_log(const io::Json& line);
  bool is_main() const { return !group_ || group_->is_main(); }
  /// Averages the gradients (and the step's loss) over the ranks.
  void average_gradients(double& step_loss);
  /// Throws when the ranks' masks or trainable tensors differ (check_replicas).
  void check_replicas(int64_t step);

  models::Model& model_;
  peft::Method& method_;
  const EncodedDataset& data_;
  TrainerOptions options_;
  int64_t steps_per_epoch_;
  int64_t total_steps_;
  LinearSchedule schedule_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters_;  // requires_grad
  std::vector<torch::Tensor> trainable_;  // method.trainable(), for clipping
  torch::Device device_ = torch::kCPU;    // the model's: batches are moved there
  EvaluateFn evaluate_;
  StepCallback on_step_;
  std::string log_path_;
  std::shared_ptr<dist::ProcessGroup> group_;  // null: a single process
};

}  // namespace adalora::train
