// The model interface the trainer, PEFT methods and tools use, and the three entry points:
// build (random init as HF), load (config.json + safetensors), save (HF format).
//
// A Model's named_parameters() are exactly HF's state-dict keys for the same class
// (e.g. `bert.encoder.layer.0.attention.self.query.weight`, `classifier.weight`), so loading is a
// dictionary match and PEFT adapter keys fall out of the module paths. Every projection is an
// adalora::nn::Linear. Tied weights (MLM decoders) are not separate parameters: the decoder uses the
// word-embedding matrix directly, as HF's tying makes it do.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "adalora/io/hf_config.h"
#include "adalora/models/kv_cache.h"

namespace adalora::models {

using io::HfConfig;

/// One batch. Shapes: B = batch, T = sequence length.
struct ModelInputs {
  torch::Tensor input_ids;       ///< [B, T] int64
  torch::Tensor attention_mask;  ///< [B, T] (1 = real token, 0 = padding) or undefined (all ones)
  torch::Tensor token_type_ids;  ///< [B, T] int64 or undefined (zeros)
  /// Undefined → no loss. [B] int64 class ids, [B] / [B, 1] float (regression), [B, num_labels]
  /// float multi-hot (multi-label), [B, T] int64 token labels (token classification and MLM,
  /// -100 = ignored).
  torch::Tensor labels;
  torch::Tensor start_positions;  ///< [B] int64, question answering
  torch::Tensor end_positions;    ///< [B] int64, question answering
  bool output_hidden_states = false;

  // Generative models (causal LM, encoder-decoder). Encoders ignore these fields.
  /// [B, T] int64 position ids of input_ids (decoder-only); undefined → arange(past, past + T).
  /// Left-padded generation passes HF's cumsum(mask) - 1 (pads set to 1).
  torch::Tensor position_ids;
  /// Encoder-decoder: [B, T_dec] decoder inputs; undefined with labels → HF's
  /// shift_tokens_right(labels, pad_token_id, decoder_start_token_id).
  torch::Tensor decoder_input_ids;
  torch::Tensor decoder_attention_mask;  ///< [B, T_dec] or undefined (causal mask only)
  /// Incremental decoding. When set, each decoder layer attends to the cached keys/values first
  /// and appends its new ones; for decoder-only models `attention_mask` then covers the cached and
  /// the new positions ([B, cache->length() + T]). Encoder-decoder: an empty cache's first call
  /// runs the encoder on input_ids and keeps its output (and the cross-attention keys/values) in
  /// the cache; later calls pass only decoder_input_ids (the new tokens). Nullptr → no caching.
  KvCache* cache = nullptr;
};

struct ModelOutputs {
  torch::Tensor loss;               ///< [] or undefined
  torch::Tensor logits;             ///< [B, num_labels] / [B, T, num_labels] / [B, T, vocab]
  torch::Tensor start_logits;       ///< [B, T] (question answering)
  torch::Tensor end_logits;         ///< [B, T]
  torch::Tensor last_hidden_state;  ///< [B, T, hidden]
  torch::Tensor pooler_output;      ///< [B, hidden] when the architecture has a pooler in this head
  /// output_hidden_states: [embedding output, layer 1 output, ..., layer L output], each [B, T, hidden]
  /// (encoder-decoder: the decoder's, as HF's decoder_hidden_states)
  std::vector<torch::Tensor> hidden_states;
  /// Encoder-decoder only: the encoder's output and (output_hidden_states) its hidden states.
  torch::Tensor encoder_last_hidden_state;
  std::vector<torch::Tensor> encoder_hidden_states;
};

/// The task head on top of the encoder (HF's *For<Task> classes; None = the bare *Model).
/// CausalLM: *ForCausalLM / GPT2LMHeadModel (labels = input_ids, shifted inside as HF does);
/// Seq2SeqLM: *ForConditionalGeneration (labels are the decoder targets).
enum class TaskHead {
  None,
  SequenceClassification,
  TokenClassification,
  QuestionAnswering,
  MaskedLM,
  CausalLM,
  Seq2SeqLM
};

/// "none", "sequence_classification", "token_classification", "question_answering", "masked_lm",
/// "causal_lm", "seq2seq_lm".
const char* task_head_name(TaskHead head);
/// Inverse of task_head_name; throws Error listing the accepted names.
TaskHead task_head_from_name(const std::string& name);

class Model : public torch::nn::Module {
 public:
  /// Runs the model; the loss is computed when the matching labels are given.
  virtual ModelOutputs forward(const ModelInputs& inputs) = 0;
  virtual const HfConfig& config() const = 0;
  virtual TaskHead head() const = 0;
  /// HF class name, e.g. "BertForSequenceClassification"; written to config.json "architectures".
  virtual std::string hf_class() const = 0;
  /// HF's base_model_prefix ("bert", "roberta", "deberta"): the encoder's module name under a head.
  virtual std::string base_model_prefix() const = 0;
  /// Key prefixes of this architecture's *other* heads (pre-training heads, other task heads) that
  /// a checkpoint may hold; loading skips them as HF does (it warns about "unused weights").
  virtual std::vector<std::string> other_head_prefixes() const = 0;
  /// Key suffixes of buffers that checkpoints of this architecture may hold and HF skips on load
  /// (its `_keys_to_ignore_on_load_unexpected`, non-persistent buffers saved by older versions:
  /// GPT-2's `.attn.bias` causal masks, LLaMA's `.rotary_emb.inv_freq`).
  virtual std::vector<std::string> ignorable_key_suffixes() const { return {}; }
  /// HF's _init_weights with the config's initializer_range.
  virtual void init_weights() = 0;
  /// True for encoder-decoder models (BART): generation runs the encoder once and feeds
  /// decoder_input_ids step by step.
  virtual bool is_encoder_decoder() const { return false; }

  /// The model's own state keys (HF names), recorded when the model was built: adapter
  /// parameters attached later are not part of it.
  const std::vector<std::string>& state_keys() const { return state_keys_; }
  /// Records state_keys() from named_parameters(); builders call it once.
  void record_state_keys();

 private:
  std::vector<std::string> state_keys_;
};

using ModelPtr = std::shared_ptr<Model>;

/// A model of `config`'s architecture with `head`, randomly initialised as HF's _init_weights
/// (normal(0, initializer_range), zero biases, LayerNorm 1/0, padding rows 0). float32, CPU.
ModelPtr build_model(const HfConfig& config, TaskHead head);

/// What loading did beyond the exact match (HF prints these as warnings).
struct LoadReport {
  std::vector<std::string> newly_initialized;  ///< head keys absent from the checkpoint
  std::vector<std::string> ignored;            ///< checkpoint keys of other heads
  /// Head keys whose checkpoint shape differs and were re-initialised (ignore_mismatched_head).
  std::vector<std::string> mismatched_head;
};

/// Loads `dir` (config.json + model.safetensors or a sharded index) into a model with `head`, in
/// `dtype`. Encoder keys must all be present with the right shapes; a missing task head is
/// initialised as HF does (listed in `report`), keys of other heads are skipped. Anything else —
/// missing encoder keys, unknown keys, wrong shapes — throws one Error listing every problem.
/// The weights are copied tensor by tensor from the memory-mapped file into the model.
ModelPtr load_pretrained(const std::string& dir, TaskHead head,
                         torch::ScalarType dtype = torch::kFloat32, LoadReport* report = nullptr);

/// Copies the checkpoint at `dir` into an existing `model` (same rules as load_pretrained). With
/// `ignore_mismatched_head` (HF's `ignore_mismatched_sizes`, limited to the task head and pooler), a
/// head tensor whose checkpoint shape differs — e.g. a classifier fine-tuned for 3 labels loaded
/// for 2 — keeps the model's fresh initialisation and is listed in report->mismatched_head; encoder
/// shape mismatches stay errors.
void load_weights(Model& model, const std::string& dir, LoadReport* report = nullptr,
                  bool ignore_mismatched_head = false);

/// Writes `dir`/config.json and `dir`/model.safetensors (HF key names, tied copies absent, adapter
/// parameters excluded), each atomically. Creates `dir` when needed.
void save_pretrained(const Model& model, const std::string& dir);

/// Total number of elements over the model's own parameters (state_keys()) and over those with
/// requires_grad (adapters included).
struct ParameterCounts {
  int64_t total = 0;
  int64_t trainable = 0;
};
ParameterCounts count_parameters(const Model& model);

}  // namespace adalora::models
