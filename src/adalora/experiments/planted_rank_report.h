// How the planted-rank benchmark is written down: JSON for machines (the bench's one line per
// variant, the CLI's --out file) and one readable table for people (matrices as rows, variants as
// columns). Shared by bench/planted_rank_bench.cpp and `adalora planted-rank`.
#pragma once

#include <string>
#include <vector>

#include "adalora/experiments/planted_rank.h"
#include "adalora/io/json.h"

namespace adalora::experiments {

/// The configuration as JSON (field names as in PlantedRankConfig; tinit/tfinal resolved).
io::Json to_json(const PlantedRankConfig& config);

/// One variant's result: summary numbers and "matrices": [{name, planted, allocated}].
io::Json to_json(const PlantedRankResult& result);

/// Per matrix: planted rank, then the allocated rank of every result; below, Σ rank, Spearman,
/// share of the budget on planted matrices, held-out loss before / after, the final loss over
/// LoRA's (when a "lora" result is present) and wall seconds.
std::string format_table(const std::vector<PlantedRankResult>& results);

}  // namespace adalora::experiments
