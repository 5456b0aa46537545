// Generation and ROUGE over a split (see generation_eval.h).
#include "adalora/train/generation_eval.h"

#include <algorithm>

#include "adalora/core/error.h"
#include "adalora/generation/generate.h"
#include "adalora/metrics/punkt.h"
#include "adalora/metrics/rouge.h"
#include "adalora/metrics/rouge_bootstrap.h"

namespace adalora::train {
namespace {

// Python str.strip() on ASCII whitespace (what the decoded texts can carry at their ends).
std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(ws);
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

std::vector<int64_t> row_ids(const torch::Tensor& row) {  // [L] int64
  const torch::Tensor c = row.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// This rank's generated sequences [n_r, L_r] (decoder start token first).
torch::Tensor generate_rows(models::Model& model, const EncodedDataset& data, int64_t lo,
                            int64_t hi, const generation::GenerationConfig& config,
                            int64_t batch_size) {
  std::vector<torch::Tensor> chunks;
  int64_t longest = 0;
  for (int64_t start = lo; start < hi; start += batch_size) {
    std::vector<int64_t> idx;
    for (int64_t i = start; i < std::min(hi, start + batch_size); ++i) idx.push_back(i);
    const Batch batch = collate(data, idx);
    chunks.push_back(generation::generate(model, batch.input_ids, batch.attention_mask, config).sequences);
    longest = std::max(longest, chunks.back().size(1));
  }
  for (auto& c : chunks) {  // batches stop at different lengths: pad to the longest
    if (c.size(1) < longest) {
      c = torch::constant_pad_nd(c, {0, longest - c.size(1)}, static_cast<double>(data.pad_id));
    }
  }
  return chunks.empty() ? torch::empty({0, 0}, torch::kInt64) : torch::cat(chunks, 0);
}

}  // namespace

GeneratedSplit generate_split(models::Model& model, const EncodedDataset& data,
                              const tokenizers::Tokenizer& tok,
                              const generation::GenerationConfig& config, int64_t batch_size,
                              dist::ProcessGroup* group) {
  ADALORA_CHECK(batch_size >= 1, "evaluation: batch_size: expected ≥ 1, got ", batch_size);
  ADALORA_CHECK(config.num_return_sequences == 1,
                "evaluation: num_return_sequences: expected 1 (one prediction per source), got ",
                config.num_return_sequences);
  const int64_t n = data.size();
  const int64_t w = group ? group->world_size() : 1, r = group ? group->rank() : 0;
  torch::Tensor sequences = generate_rows(model, data, n * r / w, n * (r + 1) / w, config, batch_size);
  if (group) {
    const auto lengths = group->all_gather(sequences.size(1));
    const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
    if (sequences.size(0) == 0) {
      sequences = torch::empty({0, longest}, torch::kInt64);
    } else if (sequences.size(1) < longest) {
      sequences = torch::constant_pad_nd(sequences, {0, longest - sequences.size(1)},
                                         static_cast<double>(data.pad_id));
    }
    sequences = group->all_gather_rows(sequences.reshape({-1})).view({-1, longest});  // [N, L]
  }
  GeneratedSplit out;
  const int64_t pad = config.pad_token_id.value_or(data.pad_id);
  double non_pad = 0;
  for (int64_t i = 0; i < sequences.size(0); ++i) {
    std::vector<int64_t> ids = row_ids(sequences[i]);
    non_pad += static_cast<double>(std::count_if(ids.begin(), ids.end(), [&](int64_t id) { return id != pad; }));
    if (model.is_encoder_decoder() && !ids.empty()) ids.erase(ids.begin());  // decoder start
    out.predictions.push_back(strip(tok.decode(ids, /*skip_special_tokens=*/true)));
    std::vector<int64_t> label;
    for (const int64_t id : data.label_ids.at(static_cast<size_t>(i))) label.push_back(id == -100 ? pad : id);
    out.references.push_back(strip(tok.decode(label, /*skip_special_tokens=*/true)));
  }
  out.gen_len = sequences.size(0) > 0 ? non_pad / static_cast<double>(sequences.size(0)) : 0.0;
  return out;
}

std::map<std::string, double> summarization_rouge(const std::vector<std::string>& predictions,
                                                  const std::vector<std::string>& references) {
  ADALORA_CHECK(predictions.size() == references.size(), "rouge: expected as many predictions as "
                "references, got ", predictions.size(), " and ", references.size());
  const metrics::RougeScorer scorer({"rouge1", "rouge2", "rougeL", "rougeLsum"}, /*use_stemmer=*/true);
  std::vector<metrics::RougeScores> per_pair;
  for (size_t i = 0; i < predictions.size(); ++i) {
    per_pair.push_back(scorer.score(metrics::split_sentences_for_rouge_lsum(references[i]),
                                    metrics::split_sentences_for_rouge_lsum(predictions[i])));
  }
  std::map<std::string, double> out;
  if (per_pair.empty()) return out;
  for (const auto& [type, score] : metrics::rouge_mean(per_pair)) out[type] = 100.0 * score.fmeasure;
  return out;
}

}  // namespace adalora::train
