// Greedy search and multinomial sampling: HF's _greedy_search and _sample share everything but
// the choice of the next token, so they share this loop.
#include <ATen/CPUGeneratorImpl.h>

#include "adalora/generation/search.h"

namespace adalora::generation {

GenerateOutput greedy_or_sample_search(DecodingSession& session, const GenerationConfig& config,
                                       const LogitsProcessorList& processors) {
  const LogitsProcessorList warpers =
      config.do_sample ? build_logits_warpers(config) : LogitsProcessorList{};
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(config.seed);
  const auto& eos = config.eos_token_id;
  const int64_t rows = session.sequences().size(0);
  torch::Tensor unfinished = torch::ones({rows}, torch::kLong);                    // [N]
  torch::Tensor eos_ids = torch::tensor(eos, torch::kLong);                       // [E]
  torch::Tensor sum_logprobs = torch::zeros({rows}, torch::kFloat);               // [N]
  GenerateOutput out;
  while (true) {
    torch::Tensor logits = session.next_logits();  // [N, V]
    torch::Tensor scores = apply_processors(processors, session.sequences(), logits);
    scores = apply_processors(warpers, session.sequences(), scores);
    if (config.output_scores) out.scores.push_back(scores);
    if (config.output_logits) out.logits.push_back(logits);

    torch::Tensor next;  // [N]
    if (config.do_sample) {
      torch::Tensor probs = scores.softmax(-1).to(torch::kCPU);
      next = torch::multinomial(probs, 1, /*replacement=*/false, generator).squeeze(1);
    } else {
      next = scores.argmax(-1).to(torch::kCPU);
    }
    if (!eos.empty()) next = next * unfinished + *config.pad_token_id * (1 - unfinished);

    torch::Tensor logprob = scores.log_softmax(-1).to(torch::kCPU).gather(1, next.view({-1, 1}));
    sum_logprobs += torch::where(unfinished.to(torch::kBool), logprob.squeeze(1),
                                 torch::zeros_like(sum_logprobs));
    session.append(next);

    // HF's stopping criteria: MaxLengthCriteria and EosTokenCriteria.
    if (!eos.empty()) unfinished = unfinished * (~torch::isin(next, eos_ids)).to(torch::kLong);
    if (session.sequences().size(1) >= config.max_length) break;
    if (unfinished.max().item<int64_t>() == 0) break;
  }
  out.sequences = session.sequences();
  out.sequences_scores = sum_logprobs;
  return out;
}

}  // namespace adalora::generation
