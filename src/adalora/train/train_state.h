// Training checkpoints for exact resume: everything a run needs to continue so that the
// interrupted run ends with the bit-identical adapter of an uninterrupted one.
//
// A checkpoint is a folder (written as `<dir>.tmp`, then renamed into place; the previous one is
// moved to `<dir>.old` for the instant between the two renames and removed after):
//   trainer_state.json         TrainState (position, schedule, best metric, loss since last log),
//                              the run's fingerprint, AdamW step counts per parameter, and the
//                              size and checksum of every other file (checked on resume)
//   trainable.safetensors      method.trainable() by name
//   optimizer.safetensors      "<param>.exp_avg", "<param>.exp_avg_sq" (AdamW, per parameter)
//   method_state.safetensors   method.state_tensors() (AdaLoRA: importance EMAs)
//   method_state.json          method.state_json() (AdaLoRA: rank pattern, step)
//   rng_state.safetensors      "cpu": the default CPU generator's state (dropout masks)
// Mirrors what HF Trainer's checkpoint-N folders hold (trainer_state.json, optimizer.pt,
// scheduler.pt, rng_state.pth), in safetensors + JSON instead of pickles. The learning-rate
// schedule is a pure function of global_step, so it has no state of its own; likewise the data
// order (data/sampler.h) is a pure function of (seed, epoch). CPU generator only (no CUDA state).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::train {

/// The scalar position of a run.
struct TrainState {
  int64_t global_step = 0;    ///< optimizer steps completed
  int64_t epoch = 0;          ///< epoch of the next step
  int64_t step_in_epoch = 0;  ///< optimizer steps already taken in that epoch
  int64_t total_steps = 0;  ///< the run's total (what the method and the schedule were built with)
  double loss_since_log = 0;  ///< summed step losses since the last log line
  int64_t steps_since_log = 0;
  std::optional<double> best_metric;  ///< best primary metric so far
  int64_t best_step = -1;             ///< step of best_metric
  /// Settings that must be equal on resume (seed, batch size, accumulation, data size, method…);
  /// a difference is an Error naming the field.
  io::Json fingerprint = io::Json::object();
};

/// Replaces folder `dir` by what `write` puts into the folder it is given (`<dir>.tmp`), by
/// renames: `dir` → `<dir>.old`, `<dir>.tmp` → `dir`, then removes `<dir>.old`. A crash leaves
/// either the old or the new folder complete (find_checkpoint looks at `<dir>.old` too).
void write_folder_atomic(const std::string& dir,
                         const std::function<void(const std::string&)>& write);

/// Writes a checkpoint of the run to `dir` atomically (see the file comment). `optimizer` must be
/// an AdamW whose parameters all appear in `named_parameters` (names for its state).
void save_checkpoint(const std::string& dir, const TrainState& state, const peft::Method& method,
                     const torch::optim::AdamW& optimizer,
                     const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters);

/// The checkpoint folder to read: `dir`, or `<dir>.old` when a crash happened between the two
/// renames of save_checkpoint; nullopt when neither holds a complete checkpoint.
std::optional<std::string> find_checkpoint(const std::string& dir);

/// Restores a checkpoint written by save_checkpoint into the live objects: copies trainable
/// tensors in place, loads the method state, AdamW state and the CPU generator state; returns the
/// position. `expected_fingerprint`'s fields must equal the saved ones (Error naming the first
/// that differs). Shapes and names must match exactly.
TrainState load_checkpoint(
    const std::string& dir, peft::Method& method, torch::optim::AdamW& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters,
    const io::Json& expected_fingerprint);

}  // namespace adalora::train
