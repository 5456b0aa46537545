// Output-folder checks before a run (see output_dir.h).
#include "adalora/train/output_dir.h"

#include <filesystem>
#include <system_error>

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

// What Trainer::train writes; any of them means the folder holds a run. checkpoint.{tmp,old} are
// the halves of an interrupted checkpoint swap (train_state.h).
const char* const kRunFiles[] = {"log.jsonl", "checkpoint", "checkpoint.tmp", "checkpoint.old", "adapter", "best"};

uint64_t mib(uint64_t bytes) { return (bytes + (1u << 20) - 1) >> 20; }

}  // namespace

void prepare_output_dir(const std::string& dir, const OutputDirPolicy& policy) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ADALORA_CHECK(!ec && fs::is_directory(dir), dir, ": expected a folder the run can write to, got ",
                ec ? ec.message() : "a file");
  if (policy.resume) return;  // the trainer checks that there is a checkpoint to continue
  for (const char* name : kRunFiles) {
    const fs::path path = fs::path(dir) / name;
    if (!fs::exists(path)) continue;
    ADALORA_CHECK(policy.overwrite, dir, ": holds another run (", name,
                  "); pass --resume to continue it or --overwrite to replace it, or choose another --out");
    if (std::string(name).rfind("checkpoint", 0) == 0) fs::remove_all(path);
  }
}

uint64_t bytes_needed_for_run(uint64_t trainable_bytes) {
  const uint64_t checkpoint = 5 * trainable_bytes;
  return 2 * checkpoint + 2 * trainable_bytes;
}

void check_free_space(const std::string& dir, uint64_t needed) {
  std::error_code ec;
  const fs::space_info space = fs::space(dir, ec);
  ADALORA_CHECK(!ec, dir, ": cannot read the free space of its file system: ", ec.message());
  ADALORA_CHECK(space.available >= needed, dir, ": ", mib(space.available),
                " MiB free, the run's checkpoints need about ", mib(needed),
                " MiB (two checkpoints, the adapter and the best model); free some space or choose another --out");
}

}  // namespace adalora::train
