// Tiny generative model folders for training tests: a random GPT-2, LLaMA or BART written in HF
// format with a byte-level BPE tokenizer (vocab.json of the 256 byte symbols + merges.txt with no
// merges, the legacy files tokenizers/legacy.h loads as GPT-2's / BART's tokenizer), so any text
// encodes, one token per byte.
//   gpt2, llama: ids 0–255 the bytes, 256 = <|endoftext|> (bos = eos = pad); no special tokens
//                added by the tokenizer (GPT-2's post-processor).
//   bart:        0 <s>, 1 <pad>, 2 </s>, 3 <unk>, then the bytes; <s> … </s> added (RoBERTa/BART
//                template), decoder_start_token_id 2 as facebook/bart-*.
// Header-only: unit and e2e tests include it.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/models/model.h"

namespace adalora::testing {

/// GPT-2's bytes_to_unicode: the printable symbol of each byte, in vocabulary order (the byte
/// values of `order` map to `symbols`).
inline std::vector<std::pair<int, std::string>> gpt2_byte_symbols() {
  std::vector<int> bs;
  for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
  std::vector<int> cs = bs;
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    if (std::find(bs.begin(), bs.end(), b) == bs.end()) {
      bs.push_back(b);
      cs.push_back(256 + n++);
    }
  }
  std::vector<std::pair<int, std::string>> out;
  for (size_t i = 0; i < bs.size(); ++i) {
    const auto c = static_cast<unsigned>(cs[i]);  // code point < 0x800: one or two UTF-8 bytes
    std::string utf8 = c < 0x80 ? std::string(1, static_cast<char>(c))
                                : std::string{static_cast<char>(0xC0 | (c >> 6)),
                                              static_cast<char>(0x80 | (c & 0x3F))};
    out.emplace_back(bs[i], utf8);
  }
  return out;
}

/// Writes vocab.json + merges.txt: `specials` first (ids 0…), then the 256 bytes, then `trailing`.
inline void write_byte_level_tokenizer(const std::string& dir, const std::vector<std::string>& specials,
                                       const std::vector<std::string>& trailing) {
  std::filesystem::create_directories(dir);
  io::Json vocab = io::Json::object();
  int64_t id = 0;
  for (const auto& s : specials) vocab[s] = id++;
  for (const auto& [byte, symbol] : gpt2_byte_symbols()) vocab[symbol] = id++;
  for (const auto& s : trailing) vocab[s] = id++;
  std::ofstream(dir + "/vocab.json") << vocab.dump();
  std::ofstream(dir + "/merges.txt") << "#version: 0.2\n";
}

/// config.json of a tiny generative `model_type` ("gpt2", "llama", "bart") for the byte tokenizer.
inline io::Json tiny_generative_config(const std::string& model_type) {
  if (model_type == "gpt2") {
    return {{"model_type", "gpt2"}, {"vocab_size", 257}, {"n_embd", 32}, {"n_layer", 2},
            {"n_head", 4}, {"n_inner", 64}, {"n_positions", 128}, {"initializer_range", 0.2},
            {"activation_function", "gelu_new"}, {"bos_token_id", 256}, {"eos_token_id", 256},
            {"resid_pdrop", 0.0}, {"embd_pdrop", 0.0}, {"attn_pdrop", 0.0}};
  }
  if (model_type == "llama") {
    return {{"model_type", "llama"}, {"vocab_size", 257}, {"hidden_size", 32},
            {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
            {"intermediate_size", 64}, {"max_position_embeddings", 128},
            {"initializer_range", 0.2}, {"rms_norm_eps", 1e-5}, {"hidden_act", "silu"},
            {"bos_token_id", 256}, {"eos_token_id", 256}};
  }
  return {{"model_type", "bart"}, {"vocab_size", 260}, {"d_model", 32}, {"encoder_layers", 2},
          {"decoder_layers", 2}, {"encoder_attention_heads", 4}, {"decoder_attention_heads", 4},
          {"encoder_ffn_dim", 64}, {"decoder_ffn_dim", 64}, {"max_position_embeddings", 128},
          {"init_std", 0.2}, {"dropout", 0.0}, {"attention_dropout", 0.0},
          {"activation_dropout", 0.0}, {"activation_function", "gelu"}, {"pad_token_id", 1},
          {"bos_token_id", 0}, {"eos_token_id", 2}, {"decoder_start_token_id", 2},
          {"forced_eos_token_id", 2}, {"is_encoder_decoder", true}, {"scale_embedding", false}};
}

/// Writes `dir` (config.json, model.safetensors, vocab.json, merges.txt) for `model_type`, the
/// weights HF's init after torch::manual_seed(seed). Returns `dir`.
inline std::string write_tiny_generative_folder(const std::string& dir, const std::string& model_type,
                                                uint64_t seed = 0) {
  const bool bart = model_type == "bart";
  torch::manual_seed(seed);
  const auto model = models::build_model(
      io::HfConfig(tiny_generative_config(model_type), "tiny " + model_type + " config"),
      bart ? models::TaskHead::Seq2SeqLM : models::TaskHead::CausalLM);
  models::save_pretrained(*model, dir);
  if (bart) {
    write_byte_level_tokenizer(dir, {"<s>", "<pad>", "</s>", "<unk>"}, {});
  } else {
    write_byte_level_tokenizer(dir, {}, {"<|endoftext|>"});
  }
  return dir;
}

}  // namespace adalora::testing
