// Loading and saving HF-format model folders (config.json + model.safetensors), the task-head
// names and parameter counting. Mirrors transformers v4.40.2 PreTrainedModel.from_pretrained /
// save_pretrained as far as encoders need: base-model prefix added or stripped, task heads absent
// from the checkpoint initialised fresh, other heads' keys and legacy `position_ids` buffers skipped;
// unlike HF, missing encoder keys, unknown keys and shape mismatches are errors, reported together.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/models/model.h"

namespace adalora::models {
namespace {

const char* kHeadNames[] = {"none",       "sequence_classification", "token_classification",
                            "question_answering", "masked_lm",  "causal_lm",
                            "seq2seq_lm"};
constexpr int kNumHeads = sizeof(kHeadNames) / sizeof(kHeadNames[0]);

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string shape_str(c10::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return "float32";
    case torch::kFloat16: return "float16";
    case torch::kBFloat16: return "bfloat16";
    case torch::kFloat64: return "float64";
    default: return c10::toString(t);
  }
}

std::string join(const std::vector<std::string>& v, size_t limit = 50) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < limit; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > limit) s += str_cat(", ... (", v.size() - limit, " more)");
  return s;
}

/// 1 + the largest all-digit segment of a tensor name ("encoder.layer.11.x" → 12), else 0.
int64_t layers_named_in(const std::string& name) {
  int64_t layers = 0;
  std::stringstream parts(name);
  for (std::string seg; std::getline(parts, seg, '.');) {
    const bool number = !seg.empty() && seg.size() < 10 &&
                        std::all_of(seg.begin(), seg.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (number) layers = std::max<int64_t>(layers, std::stoll(seg) + 1);
  }
  return layers;
}

/// Refuses a config that the checkpoint cannot fill before a model is built from it: a hostile
/// `num_hidden_layers: 100000` would otherwise allocate for minutes before the key check fails.
/// Layer counts may not exceed the layers the checkpoint names, nor size fields its largest
/// dimension; smaller mismatches reach load_weights' report of every wrong shape.
void check_config_fits_checkpoint(const io::HfConfig& config, const io::Checkpoint& ckpt,
                                  const std::string& dir) {
  int64_t layers = 0, max_dim = 0;
  for (const auto& name : ckpt.names()) {
    layers = std::max(layers, layers_named_in(name));
    for (int64_t d : ckpt.info(name).shape) max_dim = std::max(max_dim, d);
  }
  for (const char* field : {"num_hidden_layers", "n_layer", "num_layers", "encoder_layers", "decoder_layers"}) {
    const auto n = config.get_optional<int64_t>(field);
    if (n && *n > layers) {
      config.fail(field, str_cat("at most the ", layers, " layers that ", dir, " holds"),
                  std::to_string(*n));
    }
  }
  for (const char* field : {"hidden_size", "n_embd", "d_model", "vocab_size", "intermediate_size"}) {
    const auto n = config.get_optional<int64_t>(field);
    if (n && *n > max_dim) {
      config.fail(field, str_cat("at most ", max_dim, ", the largest tensor dimension in ", dir),
                  std::to_string(*n));
    }
  }
}

}  // namespace

const char* task_head_name(TaskHead head) { return kHeadNames[static_cast<int>(head)]; }

TaskHead task_head_from_name(const std::string& name) {
  std::string names;
  for (int i = 0; i < kNumHeads; ++i) {
    if (name == kHeadNames[i]) return static_cast<TaskHead>(i);
    names += (i ? ", " : "") + std::string(kHeadNames[i]);
  }
  throw Error(str_cat("task head: expected one of ", names, ", got \"", name, "\""));
}

void Model::record_state_keys() {
  state_keys_.clear();
  for (const auto& p : named_parameters()) state_keys_.push_back(p.key());
  for (const auto& b : named_buffers()) state_keys_.push_back(b.key());
}

void load_weights(Model& model, const std::string& dir, LoadReport* report, bool ignore_mismatched_head) {
  const auto ckpt = io::Checkpoint::open(dir);
  const auto names = ckpt.names();
  const std::set<std::string> available(names.begin(), names.end());
  const std::string prefix = model.base_model_prefix() + ".";
  const bool ckpt_prefixed = std::any_of(names.begin(), names.end(),
                                         [&](const std::string& n) { return starts_with(n, prefix); });
  const bool model_prefixed = model.head() != TaskHead::None;

  // Model key → checkpoint key (HF adds or strips the base-model prefix).
  auto checkpoint_key = [&](const std::string& key) -> std::string {
    if (model_prefixed && !ckpt_prefixed && starts_with(key, prefix)) return key.substr(prefix.size());
    if (!model_prefixed && ckpt_prefixed) return prefix + key;
    return key;
  };
  // Keys that belong to the task head (or the pooler): HF initialises them when absent.
  auto is_head_key = [&](const std::string& key) {
    if (key.find("pooler.") != std::string::npos) return true;
    return model_prefixed && !starts_with(key, prefix);
  };

  auto params = model.named_parameters();
  auto buffers = model.named_buffers();
  std::vector<std::string> missing, wrong_shape, newly_initialized, mismatched_head;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  for (const auto& key : model.state_keys()) {
    torch::Tensor* target = params.find(key);
    if (target == nullptr) target = buffers.find(key);
    ADALORA_CHECK(target != nullptr, "load_weights: model has no tensor \"", key, "\"");
    const std::string ck = checkpoint_key(key);
    if (!available.count(ck)) {
      (is_head_key(key) ? newly_initialized : missing).push_back(key);
      continue;
    }
    used.insert(ck);
    const auto& info = ckpt.info(ck);
    if (c10::IntArrayRef(info.shape) != target->sizes()) {
      if (ignore_mismatched_head && is_head_key(key)) {
        mismatched_head.push_back(str_cat(key, " (checkpoint ", shape_str(info.shape), ", model ",
                                          shape_str(target->sizes()), ")"));
        continue;
      }
      wrong_shape.push_back(str_cat("\"", ck, "\": expected shape ", shape_str(target->sizes()),
                                    ", got ", shape_str(info.shape), " (", ckpt.file_of(ck), ")"));
      continue;
    }
    // Tensor by tensor from the memory map into the allocated parameter: one copy, converted.
    target->copy_(ckpt.view(ck));
  }

  std::vector<std::string> unexpected, ignored;
  const auto other_heads = model.other_head_prefixes();
  const auto ignorable = model.ignorable_key_suffixes();
  for (const auto& n : names) {
    if (used.count(n)) continue;
    const bool legacy_buffer =
        ends_with(n, "embeddings.position_ids") || ends_with(n, "embeddings.token_type_ids") ||
        std::any_of(ignorable.begin(), ignorable.end(), [&](const std::string& s) { return ends_with(n, s); });
    const bool other_head = std::any_of(other_heads.begin(), other_heads.end(),
                                        [&](const std::string& p) { return starts_with(n, p); });
    (legacy_buffer || other_head ? ignored : unexpected).push_back(n);
  }

  if (!missing.empty() || !unexpected.empty() || !wrong_shape.empty()) {
    std::string msg = str_cat(dir, ": checkpoint does not match ", model.hf_class(), ":");
    if (!missing.empty()) msg += str_cat("\n  missing (", missing.size(), "): ", join(missing));
    if (!unexpected.empty()) {
      msg += str_cat("\n  unexpected (", unexpected.size(), "): ", join(unexpected));
    }
    for (const auto& w : wrong_shape) msg += "\n  wrong shape: " + w;
    throw Error(msg);
  }
  if (report) {
    report->newly_initialized = std::move(newly_initialized);
    report->ignored = std::move(ignored);
    report->mismatched_head = std::move(mismatched_head);
  }
}

ModelPtr load_pretrained(const std::string& dir, TaskHead head, torch::ScalarType dtype,
                         LoadReport* report) {
  const auto config = io::HfConfig::load(dir);
  check_config_fits_checkpoint(config, io::Checkpoint::open(dir), dir);
  auto model = build_model(config, head);
  if (dtype != torch::kFloat32) model->to(dtype);
  load_weights(*model, dir, report);
  return model;
}

void save_pretrained(const Model& model, const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto& mutable_model = const_cast<Model&>(model);  // named_parameters() is not const in LibTorch
  auto params = mutable_model.named_parameters();
  auto buffers = mutable_model.named_buffers();
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  torch::ScalarType dtype = torch::kFloat32;
  for (const auto& key : model.state_keys()) {
    const torch::Tensor* t = params.find(key);
    if (t == nullptr) t = buffers.find(key);
    ADALORA_CHECK(t != nullptr, "save_pretrained: model has no tensor \"", key, "\"");
    auto value = t->detach();
    // Adapter parameters are not state keys; a merged adapter is part of the weight (PEFT's
    // merge_and_unload).
    tensors.emplace_back(key, value.device().is_cpu() ? value : value.cpu());
    dtype = value.scalar_type();
  }
  io::save_safetensors((std::filesystem::path(dir) / "model.safetensors").string(), tensors,
                       {{"format", "pt"}});
  io::Json json = model.config().json();
  json["architectures"] = io::Json::array({model.hf_class()});
  json["torch_dtype"] = dtype_name(dtype);
  io::save_json_file((std::filesystem::path(dir) / "config.json").string(), json);
}

ParameterCounts count_parameters(const Model& model) {
  auto& mutable_model = const_cast<Model&>(model);
  ParameterCounts counts;
  auto params = mutable_model.named_parameters();
  const std::set<std::string> own(model.state_keys().begin(), model.state_keys().end());
  for (const auto& p : params) {
    if (own.count(p.key())) counts.total += p.value().numel();
    if (p.value().requires_grad()) counts.trainable += p.value().numel();
  }
  return counts;
}

}  // namespace adalora::models
