// Masked-LM pre-training of an encoder from scratch on a text corpus: the job behind
// `adalora pretrain`. It mirrors HF transformers v4.40.2
// examples/pytorch/language-modeling/run_mlm.py (group_texts packing,
// DataCollatorForLanguageModeling, Trainer's AdamW + linear schedule) with a WordPiece tokenizer
// trained on the same corpus (tokenizers/wordpiece_trainer.h).
//
// Steps: tokenizer (trained, or reused from `tokenizer`) → every line encoded without specials →
// the id stream "line₁ [SEP] line₂ [SEP] …" cut into blocks "[CLS] (max_seq_length − 2 ids) [SEP]"
// (the remainder dropped, as group_texts does) → a random BERT / DeBERTa-v2 *ForMaskedLM (tied
// decoder) → per step: a batch of blocks in EpochSampler order, fresh masks from the MLM collator,
// loss, backward, gradient clipping, AdamW with HF's decay groups, linear warm-up/decay.
//
// Output `output_dir` (a HF model folder, replaced atomically at every save: written to
// `<output_dir>.tmp`, then renamed): config.json, model.safetensors, tokenizer.json, vocab.txt,
// tokenizer_config.json, special_tokens_map.json, log.jsonl, mlm_loss_curve.csv,
// pretrain_command.txt. While running, `<output_dir>.work/` holds the tokenizer and the live log.
//
// Deterministic given the seed and the thread count: initialisation and dropout use the global
// torch generator seeded with `seed`, masks a collator generator seeded with `seed`, the block
// order EpochSampler(seed). LibTorch's float reductions (matmul, sums) may split work by thread
// count, so runs on different thread counts can differ in the last bits and then drift.
// Not here: resume from a checkpoint (a stopped run keeps its last saved model), next-sentence
// prediction, whole-word masking, mixed precision, devices other than the CPU.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::train {

struct PretrainConfig {
  std::string corpus;         ///< UTF-8 text file, one paragraph per line (empty lines skipped)
  std::string output_dir;     ///< the HF model folder to write
  std::string tokenizer;      ///< existing tokenizer folder/file to reuse; "" = train WordPiece
  std::string arch = "bert";  ///< "bert" or "deberta-v2" (DeBERTa-v3 layout)
  int64_t hidden_size = 256;
  int64_t num_hidden_layers = 4;
  int64_t num_attention_heads = 4;
  int64_t intermediate_size = 1024;
  int64_t vocab_size = 8000;     ///< of the trained tokenizer (specials included)
  int64_t max_seq_length = 128;  ///< block length, [CLS] and [SEP] included
  int64_t per_device_train_batch_size = 32;
  double learning_rate = 5e-4;
  double weight_decay = 0.01;
  int64_t warmup_steps = 0;  ///< > 0 wins over warmup_ratio
  double warmup_ratio = 0.06;
  double max_grad_norm = 1.0;
  double num_train_epochs = 1.0;
  int64_t max_steps = -1;  ///< > 0: total optimizer steps (overrides epochs)
  double mlm_probability = 0.15;
  double dropout = 0.1;  ///< hidden_dropout_prob and attention_probs_dropout_prob
  uint64_t seed = 42;
  int64_t logging_steps = 50;  ///< loss averaged over this many steps per log line
  int64_t save_steps = 1000;   ///< > 0: write the model folder every save_steps (and at the end)
  double time_budget_minutes = 0;  ///< > 0: stop after this long (wall time), save, return
  /// > 0: stop (and save) after this many steps of the max_steps/epochs schedule — a reproducible
  /// cut of a longer run (the lr schedule is still planned for the whole run).
  int64_t stop_after_steps = 0;
  int num_threads = 0;             ///< LibTorch threads (configure_threads); 0 = default
  std::string command_line;  ///< written to pretrain_command.txt; "" = pretrain_command_line()
};

/// The `adalora pretrain` command line that reproduces `config` (every setting explicit).
std::string pretrain_command_line(const PretrainConfig& config, int num_threads);

/// The config.json of the model `config` describes, for a tokenizer of `vocab_size` ids with
/// [PAD] = `pad_token_id`.
io::Json pretrain_model_config(const PretrainConfig& config, int64_t vocab_size,
                               int64_t pad_token_id);

/// Cuts the stream "ids₁ [SEP] ids₂ [SEP] …" of `lines` (ids without specials) into blocks of
/// `block_length` ids "[CLS] … [SEP]"; the incomplete last block is dropped.
std::vector<std::vector<int64_t>> pack_blocks(const std::vector<std::vector<int64_t>>& lines,
                                              int64_t block_length, int64_t cls_id, int64_t sep_id);

/// What one optimizer step did (for progress lines).
struct PretrainProgress {
  int64_t step = 0;  ///< steps completed
  int64_t total_steps = 0;
  double loss = 0;  ///< this step's MLM loss
  double learning_rate = 0;
  double elapsed_seconds = 0;  ///< since the first step started (tokenisation excluded)
  int64_t tokens_per_step = 0;
};
/// Called after every step; returning false stops the run (the model is saved).
using PretrainCallback = std::function<bool(const PretrainProgress&)>;

/// Called once before training with a one-line summary (tokenizer, blocks, parameters, steps).
using PretrainMessage = std::function<void(const std::string&)>;

struct PretrainResult {
  int64_t steps = 0;           ///< optimizer steps taken
  int64_t total_steps = 0;     ///< the schedule's length
  bool stopped_early = false;  ///< time budget or callback
  double final_loss = 0;       ///< mean loss of the last logged window
  double first_loss = 0;       ///< mean loss of the first logged window
  int64_t num_parameters = 0;
  int64_t num_blocks = 0;
  int64_t vocab_size = 0;
  double tokenize_seconds = 0;
  double train_seconds = 0;
  int threads = 0;
};

/// Runs the job (see the file comment). adalora::Error for bad settings or an unreadable corpus.
PretrainResult pretrain(const PretrainConfig& config, PretrainCallback progress = {},
                        PretrainMessage message = {});

}  // namespace adalora::train
