// Starts N ranks of one command on this machine, as `torchrun --nproc-per-node N` does: each child
// gets RANK = LOCAL_RANK = i, WORLD_SIZE = LOCAL_WORLD_SIZE = N, MASTER_ADDR = 127.0.0.1 and a
// free MASTER_PORT. Rank 0 keeps the terminal; ranks ≥ 1 write to <log_dir>/rank_<i>.log, whose
// tail is printed when that rank fails. When a rank fails, the others get `grace` to stop by
// themselves (they see the dead peer as a c10d error), then SIGTERM, then SIGKILL.
// POSIX only (fork/exec). Not here: multi-node launch (use torchrun, srun or a Kubernetes job).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace adalora::dist {

struct LaunchOptions {
  int64_t nproc = 2;
  std::string log_dir;  ///< where ranks ≥ 1 write rank_<i>.log (created); required
  int master_port = 0;  ///< 0: a free port chosen now
  std::chrono::milliseconds grace{std::chrono::seconds(60)};
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int free_port();

/// Runs `argv` (argv[0] = the executable's path) as `options.nproc` ranks and waits for all.
/// Returns 0 when every rank exited 0, else the first failing rank's exit code (128 + signal for
/// a killed rank). Throws Error when a rank cannot be started.
int launch_local(const std::vector<std::string>& argv, const LaunchOptions& options);

}  // namespace adalora::dist
