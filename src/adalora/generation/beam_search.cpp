// Beam search, as HF's _beam_search: per step log_softmax(logits) → processors → + running beam
// score → top max(2, 1 + #eos) * num_beams candidates over (beam, token) per input → the scorer
// picks num_beams continuations and closes hypotheses on eos; the session reorders rows and cache.
#include "adalora/generation/beam_hypotheses.h"
#include "adalora/generation/search.h"

namespace adalora::generation {

GenerateOutput beam_search(DecodingSession& session, int64_t batch, const GenerationConfig& config,
                           const LogitsProcessorList& processors) {
  const int64_t beams = config.num_beams;
  BeamSearchScorer scorer(batch, config);
  // Only the first beam of each input is live at the start: the copies are identical.
  torch::Tensor beam_scores = torch::zeros({batch, beams}, torch::kFloat);  // [B, K]
  beam_scores.narrow(1, 1, beams - 1).fill_(-1e9);
  beam_scores = beam_scores.view(-1);  // [B * K]
  const int64_t prompt_length = session.prompt_length();
  const int64_t num_candidates =
      std::max<int64_t>(2, 1 + static_cast<int64_t>(config.eos_token_id.size())) * beams;
  GenerateOutput out;
  while (true) {
    torch::Tensor logits = session.next_logits();  // [B * K, V]
    torch::Tensor processed =
        apply_processors(processors, session.sequences(), logits.log_softmax(-1));
    if (config.output_scores) out.scores.push_back(processed);
    if (config.output_logits) out.logits.push_back(logits);
    const int64_t vocab = processed.size(-1);
    torch::Tensor totals = (processed + beam_scores.to(processed.device()).unsqueeze(1))
                               .view({batch, beams * vocab});  // [B, K * V]
    auto [top_scores, top_ids] =
        totals.topk(num_candidates, /*dim=*/1, /*largest=*/true, /*sorted=*/true);  // [B, 2K]
    torch::Tensor source_beam = top_ids.div(vocab, /*rounding_mode=*/"floor");
    torch::Tensor token = top_ids.remainder(vocab);
    BeamSearchScorer::Step step =
        scorer.process(session.sequences(), top_scores, token, source_beam, prompt_length);
    beam_scores = step.beam_scores;
    session.append(step.beam_tokens, step.beam_indices);
    if (scorer.is_done() || session.sequences().size(1) >= config.max_length) break;
  }
  BeamSearchScorer::Result result =
      scorer.finalize(session.sequences(), beam_scores, prompt_length);
  out.sequences = result.sequences;
  out.sequences_scores = result.sequences_scores;
  return out;
}

}  // namespace adalora::generation
