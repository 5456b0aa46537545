// The decoding loops behind generate() (internal): each drives a DecodingSession until its
// stopping rule holds. `config` has its lengths resolved (resolve_lengths) and pad_token_id set.
#pragma once

#include "adalora/generation/decoding_session.h"
#include "adalora/generation/generate.h"
#include "adalora/generation/logits_processors.h"

namespace adalora::generation {

/// HF's _greedy_search (do_sample=false) and _sample (do_sample=true): one token per row per
/// step — the argmax of the processed scores, or a draw from softmax(processed and warped scores)
/// with a generator seeded by config.seed. Stops at max_length or when every row emitted an eos.
GenerateOutput greedy_or_sample_search(DecodingSession& session, const GenerationConfig& config,
                                       const LogitsProcessorList& processors);

/// HF's _beam_search with BeamSearchScorer (beam_hypotheses.h); `batch` inputs of
/// config.num_beams rows each.
GenerateOutput beam_search(DecodingSession& session, int64_t batch, const GenerationConfig& config,
                           const LogitsProcessorList& processors);

}  // namespace adalora::generation
