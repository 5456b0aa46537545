#include "adalora/generation/generation_config.h"

#include <filesystem>

namespace adalora::generation {
namespace {

// An int or a list of ints (eos_token_id, forced_eos_token_id); empty when absent or null.
std::vector<int64_t> int_or_list(const io::JsonObject& json, const std::string& field,
                                 std::vector<int64_t> fallback) {
  if (!json.has(field)) return fallback;
  if (json.is_null(field)) return {};
  const io::Json& v = json.raw(field);
  if (v.is_array()) return json.get<std::vector<int64_t>>(field);
  return {json.get<int64_t>(field)};
}

std::optional<int64_t> optional_int(const io::JsonObject& json, const std::string& field,
                                    std::optional<int64_t> fallback) {
  if (!json.has(field)) return fallback;
  return json.get_optional<int64_t>(field);
}

// HF fields that change decoding in ways we do not implement, with the value that means "off".
// A file that turns one on is refused rather than decoded differently from HF.
struct UnsupportedField {
  const char* name;
  io::Json off;
};
const std::vector<UnsupportedField>& unsupported_fields() {
  static const std::vector<UnsupportedField> fields = {
      {"num_beam_groups", 1},          {"diversity_penalty", 0.0},
      {"penalty_alpha", nullptr},      {"typical_p", 1.0},
      {"epsilon_cutoff", 0.0},         {"eta_cutoff", 0.0},
      {"encoder_repetition_penalty", 1.0}, {"encoder_no_repeat_ngram_size", 0},
      {"bad_words_ids", nullptr},      {"force_words_ids", nullptr},
      {"sequence_bias", nullptr},      {"suppress_tokens", nullptr},
      {"begin_suppress_tokens", nullptr}, {"forced_decoder_ids", nullptr},
      {"exponential_decay_length_penalty", nullptr}, {"guidance_scale", nullptr},
      {"renormalize_logits", false},   {"remove_invalid_values", false},
      {"constraints", nullptr},        {"max_time", nullptr},
  };
  return fields;
}

void refuse_unsupported(const io::JsonObject& json) {
  for (const auto& field : unsupported_fields()) {
    if (!json.has(field.name) || json.is_null(field.name)) continue;
    const io::Json& v = json.raw(field.name);
    bool is_off = field.off.is_null() ? false
                  : field.off.is_number() ? (v.is_number() && v.get<double>() == field.off.get<double>())
                                          : v == field.off;
    // guidance_scale 1 is also "off" in HF.
    if (std::string(field.name) == "guidance_scale" && v.is_number() && v.get<double>() == 1.0) {
      is_off = true;
    }
    ADALORA_CHECK(is_off, json.source(), ": ", field.name, ": expected ",
                  field.off.is_null() ? std::string("null") : field.off.dump(),
                  " (this decoding option is not implemented), got ", v.dump());
  }
}

}  // namespace

GenerationConfig parse_generation_config(const io::JsonObject& json, GenerationConfig base) {
  refuse_unsupported(json);
  GenerationConfig c = base;
  c.max_length = json.get_or<int64_t>("max_length", c.max_length);
  c.max_new_tokens = optional_int(json, "max_new_tokens", c.max_new_tokens);
  c.min_length = json.get_or<int64_t>("min_length", c.min_length);
  c.min_new_tokens = optional_int(json, "min_new_tokens", c.min_new_tokens);
  c.do_sample = json.get_or<bool>("do_sample", c.do_sample);
  c.num_beams = json.get_or<int64_t>("num_beams", c.num_beams);
  c.num_return_sequences = json.get_or<int64_t>("num_return_sequences", c.num_return_sequences);
  c.length_penalty = json.get_or<double>("length_penalty", c.length_penalty);
  if (json.has("early_stopping") && !json.is_null("early_stopping")) {
    const io::Json& v = json.raw("early_stopping");
    if (v.is_boolean()) {
      c.early_stopping = v.get<bool>() ? EarlyStopping::True : EarlyStopping::False;
    } else {
      ADALORA_CHECK(v.is_string() && v.get<std::string>() == "never", json.source(),
                    ": early_stopping: expected true, false or \"never\", got ", v.dump());
      c.early_stopping = EarlyStopping::Never;
    }
  }
  c.temperature = json.get_or<double>("temperature", c.temperature);
  c.top_k = json.get_or<int64_t>("top_k", c.top_k);
  c.top_p = json.get_or<double>("top_p", c.top_p);
  c.repetition_penalty = json.get_or<double>("repetition_penalty", c.repetition_penalty);
  c.no_repeat_ngram_size = json.get_or<int64_t>("no_repeat_ngram_size", c.no_repeat_ngram_size);
  c.bos_token_id = optional_int(json, "bos_token_id", c.bos_token_id);
  c.eos_token_id = int_or_list(json, "eos_token_id", c.eos_token_id);
  c.pad_token_id = optional_int(json, "pad_token_id", c.pad_token_id);
  c.decoder_start_token_id = optional_int(json, "decoder_start_token_id", c.decoder_start_token_id);
  c.forced_bos_token_id = optional_int(json, "forced_bos_token_id", c.forced_bos_token_id);
  c.forced_eos_token_id = int_or_list(json, "forced_eos_token_id", c.forced_eos_token_id);
  c.use_cache = json.get_or<bool>("use_cache", c.use_cache);
  validate(c, json.source());
  return c;
}

GenerationConfig load_generation_config(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path generation_file = fs::path(dir) / "generation_config.json";
  const fs::path config_file = fs::path(dir) / "config.json";
  const fs::path file = fs::exists(generation_file) ? generation_file : config_file;
  const io::Json json = io::load_json_file(file.string());
  ADALORA_CHECK(json.is_object(), file.string(), ": expected a JSON object, got ", json.type_name());
  return parse_generation_config(io::JsonObject(json, file.string()));
}

void validate(const GenerationConfig& c, const std::string& source) {
  auto check = [&](bool ok, const char* field, const std::string& expected, const auto& got) {
    ADALORA_CHECK(ok, source, ": ", field, ": expected ", expected, ", got ", got);
  };
  check(c.max_length > 0, "max_length", "> 0", c.max_length);
  check(!c.max_new_tokens || *c.max_new_tokens > 0, "max_new_tokens", "> 0",
        c.max_new_tokens.value_or(0));
  check(c.min_length >= 0, "min_length", ">= 0", c.min_length);
  check(!c.min_new_tokens || *c.min_new_tokens >= 0, "min_new_tokens", ">= 0",
        c.min_new_tokens.value_or(0));
  check(c.num_beams >= 1, "num_beams", ">= 1", c.num_beams);
  check(c.num_return_sequences >= 1, "num_return_sequences", ">= 1", c.num_return_sequences);
  check(c.do_sample || c.num_return_sequences <= c.num_beams, "num_return_sequences",
        "<= num_beams=" + std::to_string(c.num_beams) + " without sampling",
        c.num_return_sequences);
  check(!(c.do_sample && c.num_beams > 1), "num_beams",
        "1 with do_sample (beam sampling is not implemented)", c.num_beams);
  check(c.temperature > 0, "temperature", "> 0 (use do_sample=false for greedy)", c.temperature);
  check(c.top_k >= 0, "top_k", ">= 0", c.top_k);
  check(c.top_p >= 0 && c.top_p <= 1, "top_p", "a number in [0, 1]", c.top_p);
  check(c.repetition_penalty > 0, "repetition_penalty", "> 0", c.repetition_penalty);
  check(c.no_repeat_ngram_size >= 0, "no_repeat_ngram_size", ">= 0", c.no_repeat_ngram_size);
  for (int64_t id : c.eos_token_id) check(id >= 0, "eos_token_id", "ids >= 0", id);
}

GenerationConfig resolve_lengths(GenerationConfig config, int64_t input_length) {
  if (config.max_new_tokens) config.max_length = *config.max_new_tokens + input_length;
  if (config.min_new_tokens) config.min_length = *config.min_new_tokens + input_length;
  return config;
}

}  // namespace adalora::generation
