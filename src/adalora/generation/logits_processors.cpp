#include "adalora/generation/logits_processors.h"

#include <limits>
#include <map>

namespace adalora::generation {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// [V] bool: true at the eos ids (ids outside the vocabulary are ignored, as torch.isin does).
torch::Tensor eos_mask(const torch::Tensor& scores, const std::vector<int64_t>& eos) {
  torch::Tensor mask = torch::zeros({scores.size(-1)}, torch::dtype(torch::kBool));
  for (int64_t id : eos) {
    if (id >= 0 && id < scores.size(-1)) mask[id] = true;
  }
  return mask.to(scores.device());
}

// Every row -inf except `ids`, which become 0 (ForcedBOS / ForcedEOS).
torch::Tensor force_tokens(const torch::Tensor& scores, const std::vector<int64_t>& ids) {
  torch::Tensor forced = torch::full_like(scores, -kInf);
  for (int64_t id : ids) forced.select(1, id).fill_(0);
  return forced;
}

}  // namespace

torch::Tensor apply_processors(const LogitsProcessorList& list, const torch::Tensor& input_ids,
                               const torch::Tensor& scores) {
  torch::Tensor out = scores;
  for (const auto& p : list) out = p.apply(input_ids, out);
  return out;
}

LogitsProcessor min_length_processor(int64_t min_length, std::vector<int64_t> eos) {
  return {"MinLengthLogitsProcessor", [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            if (ids.size(-1) >= min_length) return scores.clone();
            return scores.masked_fill(eos_mask(scores, eos), -kInf);
          }};
}

LogitsProcessor min_new_tokens_processor(int64_t prompt_length, int64_t min_new_tokens,
                                         std::vector<int64_t> eos) {
  return {"MinNewTokensLengthLogitsProcessor",
          [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            if (ids.size(-1) - prompt_length >= min_new_tokens) return scores.clone();
            return scores.masked_fill(eos_mask(scores, eos), -kInf);
          }};
}

LogitsProcessor repetition_penalty_processor(double penalty) {
  // Every id present in the row (prompt included) once: negative scores are multiplied by the
  // penalty, positive ones divided.
  return {"RepetitionPenaltyLogitsProcessor",
          [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            torch::Tensor seen = scores.gather(1, ids);  // [N, L]
            seen = torch::where(seen < 0, seen * penalty, seen / penalty);
            return scores.scatter(1, ids, seen);
          }};
}

LogitsProcessor no_repeat_ngram_processor(int64_t n) {
  // Bans every token that would complete an n-gram already present in the row (fairseq's rule).
  return {"NoRepeatNGramLogitsProcessor",
          [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            torch::Tensor out = scores.clone();
            const int64_t len = ids.size(1);
            if (len + 1 < n) return out;
            torch::Tensor cpu_ids = ids.to(torch::kCPU).contiguous();
            for (int64_t row = 0; row < ids.size(0); ++row) {
              const int64_t* t = cpu_ids[row].data_ptr<int64_t>();
              // The last n-1 tokens; any earlier occurrence bans the token that followed it.
              const int64_t* tail = t + len - (n - 1);
              for (int64_t start = 0; start + n <= len; ++start) {
                if (std::equal(t + start, t + start + n - 1, tail)) {
                  out[row][t[start + n - 1]] = -kInf;
                }
              }
            }
            return out;
          }};
}

LogitsProcessor forced_bos_processor(int64_t bos) {
  return {"ForcedBOSTokenLogitsProcessor",
          [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            return ids.size(-1) == 1 ? force_tokens(scores, {bos}) : scores;
          }};
}

LogitsProcessor forced_eos_processor(int64_t max_length, std::vector<int64_t> eos) {
  return {"ForcedEOSTokenLogitsProcessor",
          [=](const torch::Tensor& ids, const torch::Tensor& scores) {
            return ids.size(-1) == max_length - 1 ? force_tokens(scores, eos) : scores;
          }};
}

LogitsProcessor temperature_warper(double temperature) {
  return {"TemperatureLogitsWarper", [=](const torch::Tensor&, const torch::Tensor& scores) {
            return scores / temperature;
          }};
}

LogitsProcessor top_k_warper(int64_t top_k, int64_t min_tokens_to_keep) {
  const int64_t k_kept = std::max(top_k, min_tokens_to_keep);
  return {"TopKLogitsWarper", [=](const torch::Tensor&, const torch::Tensor& scores) {
            const int64_t k = std::min(k_kept, scores.size(-1));
            torch::Tensor kth = std::get<0>(scores.topk(k)).narrow(-1, k - 1, 1);  // [N, 1]
            return scores.masked_fill(scores < kth, -kInf);
          }};
}

LogitsProcessor top_p_warper(double top_p, int64_t min_tokens_to_keep) {
  // Removes the smallest tokens whose cumulative probability stays <= 1 - top_p (ascending sort).
  return {"TopPLogitsWarper", [=](const torch::Tensor&, const torch::Tensor& scores) {
            auto [sorted, order] = scores.sort(/*dim=*/-1, /*descending=*/false);
            torch::Tensor cumulative = sorted.softmax(-1).cumsum(-1);
            torch::Tensor remove_sorted = cumulative <= (1 - top_p);
            remove_sorted.narrow(-1, remove_sorted.size(-1) - min_tokens_to_keep, min_tokens_to_keep)
                .fill_(false);
            torch::Tensor remove = remove_sorted.scatter(1, order, remove_sorted);
            return scores.masked_fill(remove, -kInf);
          }};
}

LogitsProcessorList build_logits_processors(const GenerationConfig& c, int64_t input_length) {
  LogitsProcessorList list;
  if (c.repetition_penalty != 1.0) list.push_back(repetition_penalty_processor(c.repetition_penalty));
  if (c.no_repeat_ngram_size > 0) list.push_back(no_repeat_ngram_processor(c.no_repeat_ngram_size));
  if (!c.eos_token_id.empty() && c.min_length > 0) {
    list.push_back(min_length_processor(c.min_length, c.eos_token_id));
  }
  if (!c.eos_token_id.empty() && c.min_new_tokens && *c.min_new_tokens > 0) {
    list.push_back(min_new_tokens_processor(input_length, *c.min_new_tokens, c.eos_token_id));
  }
  if (c.forced_bos_token_id) list.push_back(forced_bos_processor(*c.forced_bos_token_id));
  if (!c.forced_eos_token_id.empty()) {
    list.push_back(forced_eos_processor(c.max_length, c.forced_eos_token_id));
  }
  return list;
}

LogitsProcessorList build_logits_warpers(const GenerationConfig& c) {
  // Beam methods keep one non-eos token beyond the eos ids (HF's min_tokens_to_keep).
  const int64_t keep =
      c.num_beams > 1 ? std::max<int64_t>(1, static_cast<int64_t>(c.eos_token_id.size())) + 1 : 1;
  LogitsProcessorList list;
  if (c.temperature != 1.0) list.push_back(temperature_warper(c.temperature));
  if (c.top_k != 0) list.push_back(top_k_warper(c.top_k, keep));
  if (c.top_p < 1.0) list.push_back(top_p_warper(c.top_p, keep));
  return list;
}

}  // namespace adalora::generation
