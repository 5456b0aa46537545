// Checks on a run's output folder before training starts, so that a mistake costs seconds, not the
// hours of a run: an --out folder that holds another run is refused unless the run resumes it or
// replaces it (HF's overwrite_output_dir), and a disk without room for the checkpoints is refused
// with the sizes named.
#pragma once

#include <cstdint>
#include <string>

namespace adalora::train {

/// What decides whether `dir` may receive a run.
struct OutputDirPolicy {
  bool resume = false;     ///< continue the run in `dir` (its checkpoint is needed)
  bool overwrite = false;  ///< replace the run in `dir`; its checkpoints are deleted
};

/// Creates `dir` if missing. Throws adalora::Error "<dir>: holds another run (<file>); …" when it
/// holds a run's files (log.jsonl, checkpoint, adapter, best) and neither resume nor overwrite is
/// set. With overwrite (and no resume), deletes the old checkpoints so a later --resume cannot
/// continue the replaced run. Call on one process only when ranks share the folder.
void prepare_output_dir(const std::string& dir, const OutputDirPolicy& policy);

/// Bytes a run writes at most at once: two checkpoints (the new one is written before the previous
/// is removed) plus the adapter and the best checkpoint. A checkpoint holds the trainable tensors,
/// AdamW's two moments and at most two more tensors of the same size per parameter (AdaLoRA's
/// sensitivity and uncertainty averages): 5 × `trainable_bytes`.
uint64_t bytes_needed_for_run(uint64_t trainable_bytes);

/// Throws adalora::Error "<dir>: N MiB free, the run's checkpoints need about M MiB …" when the
/// file system of `dir` (which must exist) has fewer than `needed` bytes available.
void check_free_space(const std::string& dir, uint64_t needed);

}  // namespace adalora::train
