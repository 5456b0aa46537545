// io/hf_config: a config.json read as the architectures read it (typed fields with HF's defaults,
// choices, non-null fields). Building a model from it is not fuzzed here (it allocates the sizes
// the file asks for; models/pretrained.cpp checks them against the checkpoint first).
#include "adalora/io/hf_config.h"
#include "fuzz/fuzz_input.h"

namespace {
const char* const kIntFields[] = {"hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                                  "vocab_size", "max_position_embeddings", "type_vocab_size", "n_embd", "n_layer",
                                  "n_head", "n_positions", "num_key_value_heads", "d_model", "encoder_layers",
                                  "decoder_layers", "pad_token_id", "num_labels", "position_buckets"};
const char* const kRealFields[] = {"layer_norm_eps", "rms_norm_eps", "layer_norm_epsilon", "rope_theta",
                                   "hidden_dropout_prob", "initializer_range"};
const char* const kBoolFields[] = {"tie_word_embeddings", "relative_attention", "scale_embedding"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "config.json");
  fuzz::parses_or_refuses([&] {
    const io::HfConfig config = io::HfConfig::load(path);
    fuzz::parses_or_refuses([&] { config.model_type(); });
    for (const char* f : kIntFields) fuzz::parses_or_refuses([&] { config.get<int64_t>(f, 0); });
    for (const char* f : kRealFields) fuzz::parses_or_refuses([&] { config.get<double>(f, 0.0); });
    for (const char* f : kBoolFields) fuzz::parses_or_refuses([&] { config.get<bool>(f, false); });
    fuzz::parses_or_refuses([&] { config.get_choice("hidden_act", "gelu", {"gelu", "relu", "silu"}); });
    fuzz::parses_or_refuses([&] { config.get_optional<std::vector<std::string>>("architectures"); });
  });
  return 0;
}
