// `adalora init-model`: writes a randomly initialised model in HuggingFace format (config.json +
// model.safetensors) for tests, parameter counts and benchmarks. Presets carry the exact shapes of
// the public checkpoints (microsoft/deberta-v3-*, bert-*-uncased, roberta-*); weights are HF's
// _init_weights (normal(0, initializer_range)), never pretrained.
#include <torch/torch.h>

#include <iostream>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "tools/adalora/command.h"

namespace adalora::cli {
namespace {

struct Preset {
  const char* name;
  const char* config;  // config.json of the public checkpoint, minus labels
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> table = {
      {"deberta-v3-base", R"({"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 0, "initializer_range": 0.02,
        "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
        "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
        "pos_att_type": "p2c|c2p", "position_biased_input": false, "pad_token_id": 0})"},
      {"deberta-v3-large", R"({"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 1024,
        "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 0, "initializer_range": 0.02,
        "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
        "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
        "pos_att_type": "p2c|c2p", "position_biased_input": false, "pad_token_id": 0})"},
      {"bert-base", R"({"model_type": "bert", "vocab_size": 30522, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "position_embedding_type": "absolute"})"},
      {"bert-large", R"({"model_type": "bert", "vocab_size": 30522, "hidden_size": 1024,
        "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "position_embedding_type": "absolute"})"},
      {"roberta-base", R"({"model_type": "roberta", "vocab_size": 50265, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 514, "type_vocab_size": 1, "initializer_range": 0.02,
        "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2})"},
      {"roberta-large", R"({"model_type": "roberta", "vocab_size": 50265, "hidden_size": 1024,
        "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 514, "type_vocab_size": 1, "initializer_range": 0.02,
        "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2})"},
      {"tiny-bert", R"({"model_type": "bert", "vocab_size": 100, "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
        "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12})"},
      {"tiny-roberta", R"({"model_type": "roberta", "vocab_size": 100, "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
        "max_position_embeddings": 66, "type_vocab_size": 1, "layer_norm_eps": 1e-5,
        "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2})"},
      {"tiny-deberta-v3", R"({"model_type": "deberta-v2", "vocab_size": 100, "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
        "max_position_embeddings": 64, "type_vocab_size": 0, "layer_norm_eps": 1e-7,
        "relative_attention": true, "position_buckets": 8, "norm_rel_ebd": "layer_norm",
        "share_att_key": true, "pos_att_type": "p2c|c2p", "position_biased_input": false})"},
  };
  return table;
}

std::string preset_names() {
  std::string s;
  for (const auto& p : presets()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

}  // namespace

Command init_model_command() {
  return {"init-model", "Write a randomly initialised model (HF format) of a preset architecture",
          [](CLI::App& app) {
            auto arch = std::make_shared<std::string>();
            auto out = std::make_shared<std::string>();
            auto head = std::make_shared<std::string>("sequence_classification");
            auto num_labels = std::make_shared<int64_t>(2);
            auto seed = std::make_shared<uint64_t>(0);
            app.add_option("--arch", *arch, "Preset: " + preset_names())->required();
            app.add_option("--out", *out, "Output folder (created)")->required();
            app.add_option("--head", *head,
                           "none, sequence_classification, token_classification, "
                           "question_answering, masked_lm");
            app.add_option("--num-labels", *num_labels, "Number of labels of the head (default 2)");
            app.add_option("--seed", *seed, "torch::manual_seed before initialisation (default 0)");
            return [=] {
              const Preset* preset = nullptr;
              for (const auto& p : presets()) {
                if (*arch == p.name) preset = &p;
              }
              if (preset == nullptr) {
                throw Error(str_cat("--arch: expected one of ", preset_names(), ", got \"", *arch, "\""));
              }
              if (*num_labels < 1) throw Error(str_cat("--num-labels: expected ≥ 1, got ", *num_labels));
              io::Json config = io::Json::parse(preset->config);
              io::Json id2label = io::Json::object(), label2id = io::Json::object();
              for (int64_t i = 0; i < *num_labels; ++i) {
                id2label[std::to_string(i)] = str_cat("LABEL_", i);
                label2id[str_cat("LABEL_", i)] = i;
              }
              config["id2label"] = id2label;
              config["label2id"] = label2id;
              torch::manual_seed(*seed);
              const auto model = models::build_model(io::HfConfig(config, *arch + " preset"),
                                                      models::task_head_from_name(*head));
              models::save_pretrained(*model, *out);
              const auto counts = models::count_parameters(*model);
              std::cout << "wrote " << *out << "/config.json and model.safetensors ("
                        << model->hf_class() << ", " << *arch << ")\n"
                        << "total parameters: " << counts.total << "\n"
                        << "trainable parameters: " << counts.trainable << "\n";
              return 0;
            };
          }};
}

}  // namespace adalora::cli
