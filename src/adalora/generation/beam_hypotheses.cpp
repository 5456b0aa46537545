#include "adalora/generation/beam_hypotheses.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "adalora/core/error.h"

namespace adalora::generation {

BeamHypotheses::BeamHypotheses(int64_t num_beams, double length_penalty,
                               EarlyStopping early_stopping, int64_t max_length)
    : num_beams_(num_beams),
      length_penalty_(length_penalty),
      early_stopping_(early_stopping),
      max_length_(max_length) {}

void BeamHypotheses::add(const torch::Tensor& tokens, double sum_logprobs, int64_t generated_len) {
  const double score = sum_logprobs / std::pow(static_cast<double>(generated_len), length_penalty_);
  if (size() < num_beams_ || score > worst_score_) {
    beams_.push_back({score, tokens});
    if (size() > num_beams_) {
      // Python's sorted([(score, index)]): ties go to the earlier hypothesis.
      std::vector<size_t> order(beams_.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return beams_[a].score < beams_[b].score; });
      worst_score_ = beams_[order[1]].score;
      beams_.erase(beams_.begin() + static_cast<std::ptrdiff_t>(order[0]));
    } else {
      worst_score_ = std::min(score, worst_score_);
    }
  }
}

bool BeamHypotheses::is_done(double best_sum_logprobs, int64_t cur_len,
                             int64_t decoder_prompt_len) const {
  if (size() < num_beams_) return false;
  if (early_stopping_ == EarlyStopping::True) return true;
  // False: the best running beam scored at the current length (a heuristic when
  // length_penalty > 0); "never": at the length that maximises it.
  int64_t length = cur_len - decoder_prompt_len;
  if (early_stopping_ == EarlyStopping::Never && length_penalty_ > 0.0) {
    ADALORA_CHECK(max_length_ > decoder_prompt_len,
                  "beam search: max_length: expected more than the decoder prompt length ",
                  decoder_prompt_len, ", got ", max_length_);
    length = max_length_ - decoder_prompt_len;
  }
  const double highest_attainable =
      best_sum_logprobs / std::pow(static_cast<double>(length), length_penalty_);
  return worst_score_ >= highest_attainable;
}

BeamSearchScorer::BeamSearchScorer(int64_t batch_size, const GenerationConfig& config)
    : num_beams_(config.num_beams),
      num_return_(config.num_return_sequences),
      max_length_(config.max_length),
      eos_(config.eos_token_id),
      pad_(config.pad_token_id),
      done_(static_cast<size_t>(batch_size), false) {
  ADALORA_CHECK(num_beams_ > 1, "beam search: num_beams: expected > 1, got ", num_beams_);
  for (int64_t i = 0; i < batch_size; ++i) {
    hyps_.emplace_back(num_beams_, config.length_penalty, config.early_stopping, max_length_);
  }
}

bool BeamSearchScorer::is_done() const {
  return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
}

BeamSearchScorer::Step BeamSearchScorer::process(const torch::Tensor& input_ids,
                                                 const torch::Tensor& next_scores,
                                                 const torch::Tensor& next_tokens,
                                                 const torch::Tensor& next_indices,
                                                 int64_t decoder_prompt_len) {
  const int64_t batch = static_cast<int64_t>(hyps_.size());
  const int64_t cur_len = input_ids.size(-1) + 1;  // the length the candidates' scores are for
  torch::Tensor scores = torch::zeros({batch, num_beams_}, next_scores.options());
  torch::Tensor tokens = torch::zeros({batch, num_beams_}, torch::kLong);
  torch::Tensor indices = torch::zeros({batch, num_beams_}, torch::kLong);
  torch::Tensor cand_scores = next_scores.to(torch::kCPU, torch::kDouble);
  torch::Tensor cand_tokens = next_tokens.to(torch::kCPU);
  torch::Tensor cand_indices = next_indices.to(torch::kCPU);
  auto is_eos = [&](int64_t t) { return std::find(eos_.begin(), eos_.end(), t) != eos_.end(); };

  for (int64_t b = 0; b < batch; ++b) {
    if (done_[b]) {
      ADALORA_CHECK(pad_.has_value() && !eos_.empty(),
                    "beam search: eos_token_id and pad_token_id must be set once a beam finishes");
      tokens[b].fill_(*pad_);
      continue;
    }
    int64_t filled = 0;
    for (int64_t rank = 0; rank < cand_tokens.size(1); ++rank) {
      const int64_t token = cand_tokens[b][rank].item<int64_t>();
      const double score = cand_scores[b][rank].item<double>();
      const int64_t row = b * num_beams_ + cand_indices[b][rank].item<int64_t>();
      if (is_eos(token)) {
        // An eos outside the top num_beams candidates does not close a hypothesis.
        if (rank >= num_beams_) continue;
        hyps_[b].add(input_ids[row].to(torch::kCPU).clone(), score, cur_len - decoder_prompt_len);
      } else {
        scores[b][filled] = next_scores[b][rank];
        tokens[b][filled] = token;
        indices[b][filled] = row;
        ++filled;
      }
      if (filled == num_beams_) break;
    }
    ADALORA_CHECK(filled == num_beams_, "beam search: expected at most ", num_beams_,
                  " eos tokens among the candidates of input ", b);
    done_[b] = done_[b] || hyps_[b].is_done(cand_scores[b].max().item<double>(), cur_len,
                                            decoder_prompt_len);
  }
  return {scores.view(-1), tokens.view(-1).to(input_ids.device()),
          indices.view(-1).to(input_ids.device())};
}

BeamSearchScorer::Result BeamSearchScorer::finalize(const torch::Tensor& input_ids,
                                                    const torch::Tensor& final_beam_scores,
                                                    int64_t decoder_prompt_len) const {
  const int64_t batch = static_cast<int64_t>(hyps_.size());
  std::vector<BeamHypotheses> hyps = hyps_;
  torch::Tensor ids = input_ids.to(torch::kCPU);
  torch::Tensor final_scores = final_beam_scores.to(torch::kCPU, torch::kDouble);
  // Open beams of unfinished inputs compete with the finished hypotheses.
  for (int64_t b = 0; b < batch; ++b) {
    if (done_[b]) continue;
    for (int64_t k = 0; k < num_beams_; ++k) {
      const int64_t row = b * num_beams_ + k;
      hyps[b].add(ids[row], final_scores[row].item<double>(), ids.size(1) - decoder_prompt_len);
    }
  }
  std::vector<BeamHypotheses::Hypothesis> best;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<BeamHypotheses::Hypothesis> sorted = hyps[b].beams();
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& x, const auto& y) { return x.score < y.score; });
    for (int64_t j = 0; j < num_return_; ++j) {
      best.push_back(sorted.back());
      sorted.pop_back();
    }
  }
  int64_t min_len = INT64_MAX, max_len = 0;
  for (const auto& h : best) {
    min_len = std::min(min_len, h.tokens.size(0));
    max_len = std::max(max_len, h.tokens.size(0));
  }
  const int64_t out_len = std::min(max_len + 1, max_length_);
  torch::Tensor sequences = torch::zeros({static_cast<int64_t>(best.size()), out_len}, torch::kLong);
  if (min_len != max_len) {
    ADALORA_CHECK(pad_.has_value(), "beam search: pad_token_id must be set to pad hypotheses");
    sequences.fill_(*pad_);
  }
  torch::Tensor scores = torch::zeros({static_cast<int64_t>(best.size())}, torch::kFloat);
  for (size_t i = 0; i < best.size(); ++i) {
    const int64_t len = best[i].tokens.size(0);
    sequences[i].narrow(0, 0, len).copy_(best[i].tokens);
    if (len < out_len) {
      ADALORA_CHECK(!eos_.empty(), "beam search: eos_token_id must be set");
      sequences[i][len] = eos_[0];
    }
    scores[i] = best[i].score;
  }
  return {sequences.to(input_ids.device()), scores};
}

}  // namespace adalora::generation
