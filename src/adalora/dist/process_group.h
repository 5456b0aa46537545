// Data-parallel communication on LibTorch's own c10d engine: a TCPStore rendezvous at
// MASTER_ADDR:MASTER_PORT (torchrun's environment variables), then a Gloo process group on CPU or
// an NCCL one on CUDA (compiled only where LibTorch ships it, ADALORA_WITH_NCCL).
//
// The collectives are the few the trainer needs, each on flattened buffers (one per dtype, so an
// adapter's hundreds of small tensors cost one message, not hundreds):
//   average    — gradients after backward: sum, then ÷ world size (Gloo has no AVG op)
//   broadcast  — the initial trainable state from rank 0
//   all_gather — evaluation outputs concatenated in rank order (rows may differ per rank)
// A failed collective (a peer died, or the timeout passed) throws adalora::Error naming the rank,
// the collective and c10d's reason; the caller stops, it never hangs past the timeout.
// Not here: bucketed all-reduce overlapped with backward (LibTorch 1.13's C++ API has no
// post-accumulate-grad hook; the Reducer is Python-bound), multi-GPU per process.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace adalora::dist {

/// What torchrun (or a Slurm/Kubernetes wrapper) sets for each rank.
struct Environment {
  int64_t rank = 0;        ///< RANK: 0 … world_size−1
  int64_t world_size = 1;  ///< WORLD_SIZE
  int64_t local_rank = 0;  ///< LOCAL_RANK: rank on this machine (the CUDA device index)
  std::string master_addr = "127.0.0.1";  ///< MASTER_ADDR: host of rank 0's TCPStore
  int64_t master_port = 29500;            ///< MASTER_PORT

  /// The variables of this process; nullopt when WORLD_SIZE is unset (a single-process run).
  /// Throws Error naming the variable when one is malformed or missing.
  static std::optional<Environment> from_env();
};

struct ProcessGroupOptions {
  /// c10d's timeout: rendezvous and every collective. A dead peer is reported within it.
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  torch::Device device = torch::kCPU;  ///< CPU → Gloo; CUDA → NCCL (Error when not compiled in)
};

class ProcessGroup {
 public:
  /// Rendezvous of all `env.world_size` ranks (rank 0 hosts the store) and the process group.
  /// Throws Error when the store cannot be reached within the timeout.
  static std::shared_ptr<ProcessGroup> connect(const Environment& env,
                                               const ProcessGroupOptions& options = {});
  ~ProcessGroup();

  int64_t rank() const { return rank_; }
  int64_t world_size() const { return world_size_; }
  bool is_main() const { return rank_ == 0; }
  const std::string& backend() const { return backend_; }

  /// Replaces every tensor by its mean over the ranks (same shapes and dtypes on every rank).
  void average(const std::vector<torch::Tensor>& tensors);
  /// Replaces `tensor` by its sum over the ranks.
  void sum(const torch::Tensor& tensor);
  /// Copies rank `root`'s values into every rank's tensors.
  void broadcast(const std::vector<torch::Tensor>& tensors, int64_t root = 0);
  /// Every rank's `rows` ([n_r, …], same trailing shape and dtype; n_r may differ, even be 0)
  /// concatenated in rank order: [Σ n_r, …], identical on every rank.
  torch::Tensor all_gather_rows(const torch::Tensor& rows);
  /// One value per rank, in rank order.
  std::vector<int64_t> all_gather(int64_t value);
  void barrier();

 private:
  struct Impl;
  ProcessGroup(int64_t rank, int64_t world_size, std::unique_ptr<Impl> impl);
  int64_t rank_;
  int64_t world_size_;
  std::string backend_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace adalora::dist
