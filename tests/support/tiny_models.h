// Tiny random models for tests (contract suite, PEFT tests, e2e): one row per architecture,
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

/// The decoder-only model_types with a tiny config: "gpt2", "llama" (grouped-query: 4 heads, 2
/// key/value heads), "mistral", "qwen2" (q/k/v biases). Kept apart from tiny_model_types(), whose
/// users build encoder task heads.
const std::vector<std::string>& tiny_decoder_types();

/// config.json content of the tiny decoder `model_type`: vocab 64, hidden 32, 2 layers, 4 heads,
/// ffn 64, 64 positions, initializer_range 0.2.
io::Json tiny_decoder_config_json(const std::string& model_type);

/// A tiny decoder with `head` (None or CausalLM), initialised with torch::manual_seed(seed), in
/// eval mode. `overrides` replace config fields.
models::ModelPtr tiny_decoder(const std::string& model_type,
                              models::TaskHead head = models::TaskHead::CausalLM, uint64_t seed = 0,
                              const io::Json& overrides = io::Json::object());

/// config.json content of the tiny BART (encoder–decoder): vocab 64, d_model 16, 2 + 2 layers,
/// 4 heads, ffn 32, 24 positions, init_std 0.2; other fields at BartConfig's defaults.
io::Json tiny_bart_config_json();

}  // namespace adalora::testing
