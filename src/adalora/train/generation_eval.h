// Evaluation by generation for seq2seq tasks (HF Seq2SeqTrainer with predict_with_generate and
// run_summarization.py's compute_metrics, transformers v4.40.2): generate for every source of a
// split, decode predictions and label ids with skip_special_tokens, strip both, and score ROUGE.
//
// ROUGE: rouge1, rouge2, rougeL, rougeLsum as Google's rouge_score with the Porter stemmer
// (metrics/rouge.h), F-measure averaged over the pairs (the plain mean, not `evaluate`'s
// unseeded bootstrap mid), ×100 as the paper's Table 3. gen_len: mean count of non-pad ids of the
// generated sequences (decoder start token included), as run_summarization.
// As run_summarization's postprocess_text, both texts are split into sentences first,
// "\n".join(nltk.sent_tokenize(text.strip())), with NLTK's English Punkt (metrics/punkt.h); only
// rougeLsum depends on it (the other types treat "\n" as any separator).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adalora/dist/process_group.h"
#include "adalora/generation/generation_config.h"
#include "adalora/models/model.h"
#include "adalora/tokenizers/tokenizer.h"
#include "adalora/train/collate.h"

namespace adalora::train {

/// The generated texts of a split, in row order.
struct GeneratedSplit {
  std::vector<std::string> predictions;  ///< decoded, special tokens skipped, stripped
  std::vector<std::string> references;   ///< label ids decoded the same way
  double gen_len = 0;                    ///< mean non-pad ids per generated sequence
};

/// Generates for every example of `data` (input_ids = sources, label_ids = targets) with
/// `config`, `batch_size` sources per call. With a process group each rank generates a contiguous
/// 1/W of the rows and the ids are gathered: every rank gets the whole split.
GeneratedSplit generate_split(models::Model& model, const EncodedDataset& data,
                              const tokenizers::Tokenizer& tok,
                              const generation::GenerationConfig& config, int64_t batch_size,
                              dist::ProcessGroup* group = nullptr);

/// {"rouge1", "rouge2", "rougeL", "rougeLsum"} → mean F ×100 over the pairs, the texts split into
/// newline-separated sentences first (as HF's postprocess_text).
std::map<std::string, double> summarization_rouge(const std::vector<std::string>& predictions,
                                                  const std::vector<std::string>& references);

}  // namespace adalora::train
