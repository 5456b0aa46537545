#include "tests/support/tiny_models.h"

#include "adalora/core/error.h"

namespace adalora::testing {
namespace {

struct TinyRow {
  std::string model_type;
  io::Json extra;  // architecture-specific fields on top of the common ones
};

const std::vector<TinyRow>& rows() {
  static const std::vector<TinyRow> t = {
      {"bert", {{"type_vocab_size", 2}, {"layer_norm_eps", 1e-12}}},
      {"roberta", {{"type_vocab_size", 1}, {"layer_norm_eps", 1e-5}, {"pad_token_id", 1},
                   {"bos_token_id", 0}, {"eos_token_id", 2}, {"max_position_embeddings", 66}}},
      {"deberta-v2", {{"relative_attention", true}, {"position_buckets", 8},
                      {"norm_rel_ebd", "layer_norm"}, {"share_att_key", true},
                      {"pos_att_type", "p2c|c2p"}, {"position_biased_input", false},
                      {"type_vocab_size", 0}, {"layer_norm_eps", 1e-7}}},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& tiny_model_types() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& r : rows()) out.push_back(r.model_type);
    return out;
  }();
  return names;
}

io::Json tiny_config_json(const std::string& model_type, int64_t num_labels) {
  for (const auto& r : rows()) {
    if (r.model_type != model_type) continue;
    io::Json j = {{"model_type", model_type},     {"vocab_size", 100},
                  {"hidden_size", 32},            {"num_hidden_layers", 2},
                  {"num_attention_heads", 4},     {"intermediate_size", 64},
                  {"max_position_embeddings", 64}, {"hidden_act", "gelu"},
                  {"initializer_range", 0.2},     {"hidden_dropout_prob", 0.1},
                  {"attention_probs_dropout_prob", 0.1}};
    j.update(r.extra);
    io::Json id2label = io::Json::object(), label2id = io::Json::object();
    for (int64_t i = 0; i < num_labels; ++i) {
      id2label[std::to_string(i)] = str_cat("LABEL_", i);
      label2id[str_cat("LABEL_", i)] = i;
    }
    j["id2label"] = id2label;
    j["label2id"] = label2id;
    return j;
  }
  throw Error(str_cat("tiny_config_json: no tiny config for model_type \"", model_type, "\""));
}

models::ModelPtr tiny_model(const std::string& model_type, models::TaskHead head, uint64_t seed,
                            int64_t num_labels) {
  torch::manual_seed(seed);
  auto model = models::build_model(
      io::HfConfig(tiny_config_json(model_type, num_labels), "tiny " + model_type + " config"), head);
  model->eval();
  return model;
}

const std::vector<std::string>& tiny_decoder_types() {
  static const std::vector<std::string> names = {"gpt2", "llama", "mistral", "qwen2"};
  return names;
}

io::Json tiny_decoder_config_json(const std::string& model_type) {
  if (model_type == "gpt2") {
    return {{"model_type", "gpt2"}, {"vocab_size", 64}, {"n_embd", 32},       {"n_layer", 2},
            {"n_head", 4},          {"n_inner", 64},    {"n_positions", 64},  {"initializer_range", 0.2},
            {"activation_function", "gelu_new"}, {"bos_token_id", 63}, {"eos_token_id", 63}};
  }
  io::Json j = {{"model_type", model_type},  {"vocab_size", 64},           {"hidden_size", 32},
                {"num_hidden_layers", 2},    {"num_attention_heads", 4},   {"num_key_value_heads", 2},
                {"intermediate_size", 64},   {"max_position_embeddings", 64}, {"initializer_range", 0.2},
                {"rms_norm_eps", 1e-5},      {"rope_theta", 500000.0},     {"hidden_act", "silu"},
                {"bos_token_id", 1},         {"eos_token_id", 2}};
  if (model_type == "llama") return j;
  if (model_type == "mistral" || model_type == "qwen2") {
    j["sliding_window"] = 64;
    return j;
  }
  throw Error(str_cat("tiny_decoder_config_json: no tiny config for model_type \"", model_type, "\""));
}

models::ModelPtr tiny_decoder(const std::string& model_type, models::TaskHead head, uint64_t seed,
                              const io::Json& overrides) {
  auto json = tiny_decoder_config_json(model_type);
  json.update(overrides);
  torch::manual_seed(seed);
  auto model = models::build_model(io::HfConfig(json, "tiny " + model_type + " config"), head);
  model->eval();
  return model;
}

io::Json tiny_bart_config_json() {
  return {{"model_type", "bart"},        {"vocab_size", 64},          {"d_model", 16},
          {"encoder_layers", 2},         {"decoder_layers", 2},       {"encoder_attention_heads", 4},
          {"decoder_attention_heads", 4}, {"encoder_ffn_dim", 32},    {"decoder_ffn_dim", 32},
          {"max_position_embeddings", 24}, {"init_std", 0.2}};
}

}  // namespace adalora::testing
