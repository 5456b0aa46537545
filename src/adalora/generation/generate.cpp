// generate(): HF's generate() steps 1–10 — defaults for pad id and attention mask, the decoder
// start, the resolved lengths, the processors — then the loop of the configured mode.
#include "adalora/generation/generate.h"

#include "adalora/core/error.h"
#include "adalora/generation/search.h"

namespace adalora::generation {
namespace {

// The model's position limit (BART/LLaMA max_position_embeddings, GPT-2 n_positions); 0 = none.
int64_t max_positions(const models::HfConfig& config) {
  if (auto n = config.get_optional<int64_t>("max_position_embeddings")) return *n;
  if (auto n = config.get_optional<int64_t>("n_positions")) return *n;
  return 0;
}

// HF's _prepare_attention_mask_for_generation.
torch::Tensor default_attention_mask(const torch::Tensor& ids, const GenerationConfig& config) {
  const auto& eos = config.eos_token_id;
  if (config.pad_token_id &&
      (ids == *config.pad_token_id).any().item<bool>() &&
      std::find(eos.begin(), eos.end(), *config.pad_token_id) == eos.end()) {
    return (ids != *config.pad_token_id).to(torch::kLong);
  }
  return torch::ones_like(ids);
}

}  // namespace

GenerateOutput generate(models::Model& model, const torch::Tensor& input_ids,
                        const torch::Tensor& attention_mask, const GenerationConfig& config_in) {
  torch::NoGradGuard no_grad;
  validate(config_in);
  ADALORA_CHECK(input_ids.defined() && input_ids.dim() == 2 && input_ids.scalar_type() == torch::kLong &&
                    input_ids.size(0) > 0 && input_ids.size(1) > 0,
                "generate: input_ids: expected a non-empty [batch, seq] int64 tensor");
  ADALORA_CHECK(!attention_mask.defined() || attention_mask.sizes() == input_ids.sizes(),
                "generate: attention_mask: expected shape ", input_ids.sizes(), ", got ",
                attention_mask.sizes());
  const int64_t limit = max_positions(model.config());
  ADALORA_CHECK(limit == 0 || input_ids.size(1) <= limit, model.config().source(),
                ": max_position_embeddings: expected a prompt of at most ", limit,
                " tokens, got ", input_ids.size(1));

  GenerationConfig config = config_in;
  if (!config.pad_token_id && !config.eos_token_id.empty()) {
    config.pad_token_id = config.eos_token_id[0];  // HF: open-end generation pads with eos
  }
  const torch::Tensor mask =
      attention_mask.defined() ? attention_mask : default_attention_mask(input_ids, config);

  const int64_t batch = input_ids.size(0);
  torch::Tensor decoder_start;
  if (model.is_encoder_decoder()) {
    auto start = config.decoder_start_token_id ? config.decoder_start_token_id : config.bos_token_id;
    ADALORA_CHECK(start.has_value(),
                  "generate: decoder_start_token_id: expected an id (or bos_token_id) for an "
                  "encoder-decoder model, got none");
    decoder_start = torch::full({batch, 1}, *start, input_ids.options());
  }
  const int64_t input_length = model.is_encoder_decoder() ? 1 : input_ids.size(1);
  config = resolve_lengths(config, input_length);
  ADALORA_CHECK(input_length < config.max_length, "generate: max_length: expected more than the ",
                model.is_encoder_decoder() ? "decoder input" : "prompt", " length ", input_length,
                ", got ", config.max_length, " (set max_new_tokens)");

  const LogitsProcessorList processors = build_logits_processors(config, input_length);
  if (config.num_beams > 1) {
    DecodingSession session(model, input_ids, mask, decoder_start, config.num_beams,
                            config.use_cache);
    return beam_search(session, batch, config, processors);
  }
  ADALORA_CHECK(config.do_sample || config.num_return_sequences == 1,
                "generate: num_return_sequences: expected 1 for greedy search, got ",
                config.num_return_sequences);
  DecodingSession session(model, input_ids, mask, decoder_start, config.num_return_sequences,
                          config.use_cache);
  return greedy_or_sample_search(session, config, processors);
}

}  // namespace adalora::generation
