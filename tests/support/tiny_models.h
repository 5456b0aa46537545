// Tiny random encoder models for tests (contract suite, PEFT tests, e2e): one row per architecture,
// hidden 32, 2 layers, 4 heads, ffn 64, vocab 100. Adding an architecture = one row in the .cpp.
#pragma once

#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/models/model.h"

namespace adalora::testing {

/// The model_types with a tiny config: "bert", "roberta", "deberta-v2".
const std::vector<std::string>& tiny_model_types();

/// config.json content of the tiny `model_type` (HF field names) with `num_labels` labels.
io::Json tiny_config_json(const std::string& model_type, int64_t num_labels = 3);

/// A tiny model, initialised as HF does with torch::manual_seed(seed), in eval mode.
models::ModelPtr tiny_model(const std::string& model_type,
                            models::TaskHead head = models::TaskHead::SequenceClassification,
                            uint64_t seed = 0, int64_t num_labels = 3);

}  // namespace adalora::testing
