#include "adalora/generation/decoding_session.h"

#include "adalora/core/error.h"

namespace adalora::generation {
namespace {

// [B * expand] row indices 0,0,..,1,1,..: each input repeated `expand` times, batch-major.
torch::Tensor expansion_index(int64_t batch, int64_t expand, const torch::Device& device) {
  return torch::arange(batch, torch::dtype(torch::kLong).device(device))
      .repeat_interleave(expand);
}

// [N, T, V] → [N, V] float32 logits of the last position.
torch::Tensor last_position(const torch::Tensor& logits) {
  ADALORA_CHECK(logits.defined() && logits.dim() == 3,
                "generation: the model returned no [batch, seq, vocab] logits (is the head causal_lm "
                "or seq2seq_lm?)");
  return logits.select(1, logits.size(1) - 1).to(torch::kFloat).contiguous();
}

}  // namespace

DecodingSession::DecodingSession(models::Model& model, const torch::Tensor& input_ids,
                                 const torch::Tensor& attention_mask,
                                 const torch::Tensor& decoder_start, int64_t expand, bool use_cache)
    : model_(model), use_cache_(use_cache), expand_(expand) {
  const torch::Tensor mask =
      attention_mask.defined() ? attention_mask.to(torch::kLong) : torch::ones_like(input_ids);
  const torch::Tensor index = expansion_index(input_ids.size(0), expand, input_ids.device());
  first_ids_ = input_ids;
  first_mask_ = mask;
  mask_ = mask.index_select(0, index);
  if (model.is_encoder_decoder()) {
    ADALORA_CHECK(decoder_start.defined() && decoder_start.dim() == 2,
                  "generation: an encoder-decoder model needs decoder start ids [batch, 1]");
    encoder_ids_ = input_ids.index_select(0, index);
    sequences_ = decoder_start.index_select(0, index);
    first_decoder_ = decoder_start;
  } else {
    sequences_ = input_ids.index_select(0, index);
  }
  prompt_length_ = sequences_.size(1);
}

torch::Tensor DecodingSession::positions_from_mask(const torch::Tensor& mask) {
  // HF's prepare_inputs_for_generation: position = number of real tokens before it; pads get 1.
  return (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1);
}

torch::Tensor DecodingSession::next_logits() {
  models::ModelInputs in;
  const bool first_cached_call = use_cache_ && !started_;
  if (model_.is_encoder_decoder()) {
    if (!use_cache_) {
      in.input_ids = encoder_ids_;
      in.attention_mask = mask_;
      in.decoder_input_ids = sequences_;
    } else if (first_cached_call) {  // runs the encoder, once, on the unexpanded batch
      in.input_ids = first_ids_;
      in.attention_mask = first_mask_;
      in.decoder_input_ids = first_decoder_;
    } else {  // the cache holds the encoder output and its mask
      in.decoder_input_ids = sequences_.narrow(1, sequences_.size(1) - 1, 1);
    }
  } else {
    if (!use_cache_) {
      in.input_ids = sequences_;
      in.attention_mask = mask_;
      in.position_ids = positions_from_mask(mask_);
    } else if (first_cached_call) {
      in.input_ids = first_ids_;
      in.attention_mask = first_mask_;
      in.position_ids = positions_from_mask(first_mask_);
    } else {
      in.input_ids = sequences_.narrow(1, sequences_.size(1) - 1, 1);
      in.attention_mask = mask_;  // covers the cached positions and the new one
      in.position_ids = positions_from_mask(mask_).narrow(1, mask_.size(1) - 1, 1);
    }
  }
  if (use_cache_) in.cache = &cache_;
  torch::Tensor logits = last_position(model_.forward(in).logits);
  started_ = true;
  if (first_cached_call && expand_ > 1) {
    const torch::Tensor index = expansion_index(first_ids_.size(0), expand_, logits.device());
    cache_.reorder(index);
    logits = logits.index_select(0, index);
  }
  return logits;
}

void DecodingSession::append(const torch::Tensor& tokens, const torch::Tensor& rows) {
  if (rows.defined()) {
    sequences_ = sequences_.index_select(0, rows);
    mask_ = mask_.index_select(0, rows);
    if (encoder_ids_.defined()) encoder_ids_ = encoder_ids_.index_select(0, rows);
    if (use_cache_ && started_) cache_.reorder(rows);
  }
  sequences_ = torch::cat({sequences_, tokens.to(sequences_.device()).view({-1, 1})}, 1);
  if (!model_.is_encoder_decoder()) {
    mask_ = torch::cat({mask_, torch::ones({mask_.size(0), 1}, mask_.options())}, 1);
  }
}

}  // namespace adalora::generation
