#include "adalora/train/evaluate.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "adalora/core/device.h"
#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/io/safetensors.h"
#include "adalora/metrics/evaluate.h"
#include "adalora/peft/adapter_files.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/merged_for_eval.h"
#include "adalora/tasks/registry.h"

namespace adalora::train {
namespace fs = std::filesystem;

namespace {

std::string resolve(const std::string& dir, const std::string& file) {
  if (file.empty() || fs::path(file).is_absolute() || dir.empty()) return file;
  return (fs::path(dir) / file).string();
}

// `name` in the adapter folder, else in its parent (the training output folder).
std::optional<std::string> find_beside(const std::string& adapter_dir, const std::string& name) {
  for (const fs::path& dir : {fs::path(adapter_dir), fs::path(adapter_dir).parent_path()}) {
    if (fs::exists(dir / name)) return (dir / name).string();
  }
  return std::nullopt;
}

bool is_adapter_folder(const fs::path& dir) {
  return fs::exists(dir / peft::kAdapterConfigFile) || fs::exists(dir / "model.safetensors");
}

// The stored tensor `name` (model-relative) of an adapter folder: PEFT files or model.safetensors.
std::optional<std::vector<int64_t>> stored_shape(const std::string& adapter_dir,
                                                 const std::string& name) {
  const fs::path dir(adapter_dir);
  if (fs::exists(dir / peft::kAdapterWeightsFile)) {
    auto file = io::SafetensorsFile::open((dir / peft::kAdapterWeightsFile).string());
    const std::string key = peft::kPeftKeyPrefix + name;
    if (file.contains(key)) return file.info(key).shape;
  } else if (fs::exists(dir / "model.safetensors")) {
    auto file = io::SafetensorsFile::open((dir / "model.safetensors").string());
    if (file.contains(name)) return file.info(name).shape;
  }
  return std::nullopt;
}

// HF's id2label of the model folder's config.json in id order ({"0": "neg", "1": "pos"}), or none
// when absent. What a model fine-tuned with HF (or merged by `adalora export`) carries instead of
// labels.json.
std::optional<std::vector<std::string>> labels_from_model_config(const std::string& model_dir) {
  const std::string path = (fs::path(model_dir) / "config.json").string();
  if (!fs::exists(path)) return std::nullopt;
  const io::Json json = io::load_json_file(path);
  io::JsonObject o(json, path);
  if (!o.has("id2label") || o.is_null("id2label")) return std::nullopt;
  io::JsonObject id2label = o.object("id2label");
  std::vector<std::string> names(id2label.json().size());
  for (const auto& [key, value] : id2label.json().items()) {
    size_t end = 0;
    int64_t id = -1;
    try {
      id = std::stoll(key, &end);
    } catch (const std::exception&) {
    }
    ADALORA_CHECK(end == key.size() && id >= 0 && id < static_cast<int64_t>(names.size()), path,
                  ": id2label: expected the keys \"0\" … \"", names.size() - 1, "\", got \"", key, "\"");
    names[static_cast<size_t>(id)] = id2label.get<std::string>(key);
  }
  if (names.size() < 2) return std::nullopt;
  // HF's placeholders ("LABEL_0", …) say nothing about the labels' names or order.
  bool placeholders = true;
  for (size_t i = 0; i < names.size(); ++i) placeholders = placeholders && names[i] == "LABEL_" + std::to_string(i);
  if (placeholders) return std::nullopt;
  return names;
}

}  // namespace

EncodedDataset encode(const data::Dataset& data, const tokenizers::Tokenizer& tok,
                      int64_t max_len) {
  tokenizers::TruncationOptions trunc;
  trunc.max_length = static_cast<size_t>(max_len);
  trunc.strategy = tokenizers::TruncationStrategy::LongestFirst;
  EncodedDataset out;
  out.pad_id = tok.pad_id().value_or(0);
  std::vector<std::string> singles;
  std::vector<std::pair<std::string, std::string>> pairs;
  const bool pair_task = !data.examples.empty() && data.examples.front().text_pair.has_value();
  for (const auto& e : data.examples) {
    if (pair_task) {
      pairs.emplace_back(e.text, e.text_pair.value_or(""));
    } else {
      singles.push_back(e.text);
    }
  }
  auto encodings = pair_task ? tok.encode_pair_batch(pairs, true, trunc)
                             : tok.encode_batch(singles, true, trunc);
  for (size_t i = 0; i < encodings.size(); ++i) {
    ADALORA_CHECK(!encodings[i].ids.empty(), data.path, ":", data.examples[i].line,
                  ": text: expected at least one token, got an empty encoding");
    out.input_ids.push_back(std::move(encodings[i].ids));
    out.token_type_ids.push_back(std::move(encodings[i].type_ids));
  }
  if (data.has_labels) {
    for (const auto& e : data.examples) {
      if (data.is_regression) {
        out.targets.push_back(e.target);
      } else {
        out.labels.push_back(e.label);
      }
    }
  }
  return out;
}

torch::Tensor predict_logits(models::Model& model, const EncodedDataset& data, int64_t batch_size) {
  ADALORA_CHECK(batch_size >= 1, "predict: batch_size: expected ≥ 1, got ", batch_size);
  torch::NoGradGuard no_grad;
  const torch::Device device = device_of(model);
  std::vector<torch::Tensor> chunks;
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    std::vector<int64_t> idx;
    for (int64_t i = start; i < std::min(data.size(), start + batch_size); ++i) idx.push_back(i);
    Batch batch = collate(data, idx);
    auto inputs = batch.to_model_inputs(device);
    inputs.labels = torch::Tensor();
    auto logits = model.forward(inputs).logits;  // [b, num_labels]
    chunks.push_back(logits.reshape({logits.size(0), -1}).to(torch::kCPU));  // metrics read the host
  }
  if (chunks.empty()) return torch::empty({0, 0});
  return torch::cat(chunks, 0);  // [N, num_labels]
}

namespace {

// Rank r's contiguous rows [N·r/W, N·(r+1)/W) predicted there, gathered in rank order: [N, L].
torch::Tensor predict_logits_sharded(models::Model& model, const EncodedDataset& data,
                                     int64_t batch_size, dist::ProcessGroup& group) {
  const int64_t n = data.size(), w = group.world_size(), r = group.rank();
  const int64_t lo = n * r / w, hi = n * (r + 1) / w;
  EncodedDataset shard;
  shard.pad_id = data.pad_id;
  for (int64_t i = lo; i < hi; ++i) {
    shard.input_ids.push_back(data.input_ids[i]);
    if (!data.token_type_ids.empty()) shard.token_type_ids.push_back(data.token_type_ids[i]);
  }
  // float64 holds every float32 logit exactly; a rank without rows has no column count.
  const torch::Tensor mine = predict_logits(model, shard, batch_size).to(torch::kFloat64);
  const std::vector<int64_t> cols = group.all_gather(mine.numel() > 0 ? mine.size(1) : 0);
  const int64_t l = *std::max_element(cols.begin(), cols.end());
  if (l == 0) return torch::empty({0, 0}, torch::kFloat64);
  return group.all_gather_rows(mine.reshape({-1})).view({-1, l});  // [N, L]
}

}  // namespace

std::map<std::string, double> evaluate_split(models::Model& model, const EncodedDataset& data,
                                             const tasks::TaskSpec& spec, int64_t batch_size,
                                             dist::ProcessGroup* group) {
  std::vector<int64_t> predicted;
  std::vector<double> predicted_values;
  const peft::MergedForEval merged(model);  // adapters merged: eval at the base model's cost
  const torch::Tensor logits = group ? predict_logits_sharded(model, data, batch_size, *group)
                                     : predict_logits(model, data, batch_size);  // [N, num_labels]
  if (logits.numel() > 0) {
    if (spec.is_regression) {
      auto v = logits.reshape({-1}).to(torch::kFloat64).contiguous();
      predicted_values.assign(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
    } else {
      auto p = logits.argmax(-1).to(torch::kInt64).contiguous();
      predicted.assign(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + p.numel());
    }
  }
  metrics::MetricValues values =
      spec.is_regression
          ? metrics::evaluate_regression(spec.metrics, predicted_values, data.targets)
          : metrics::evaluate_classification(spec.metrics, predicted, data.labels);
  return std::map<std::string, double>(values.begin(), values.end());
}

io::HfConfig classifier_config(const std::string& model_dir, bool is_regression,
                               int64_t num_labels) {
  io::HfConfig hf = io::HfConfig::load(model_dir);
  auto& j = hf.mutable_json();
  j["num_labels"] = num_labels;
  j.erase("id2label");
  j.erase("label2id");
  j["problem_type"] = is_regression ? "regression" : "single_label_classification";
  return hf;
}

void write_labels_json(const std::string& path, const LabelInfo& info) {
  io::save_json_file(
      path,
      io::Json{{"task", info.task},
               {"problem_type", info.is_regression ? "regression" : "single_label_classification"},
               {"label_names", info.label_names}});
}

LabelInfo read_labels_json(const std::string& path) {
  const io::Json json = io::load_json_file(path);
  io::JsonObject o(json, path);
  LabelInfo info;
  info.task = o.get<std::string>("task");
  const std::string problem = o.get<std::string>("problem_type");
  ADALORA_CHECK(
      problem == "regression" || problem == "single_label_classification", path,
      ": problem_type: expected \"single_label_classification\" or \"regression\", got \"", problem,
      "\"");
  info.is_regression = problem == "regression";
  info.label_names = o.get<std::vector<std::string>>("label_names");
  ADALORA_CHECK(info.is_regression || info.label_names.size() >= 2, path,
                ": label_names: expected at least 2 names for classification, got ",
                info.label_names.size());
  return info;
}

TrainedClassifier load_trained_classifier(const InferenceConfig& config) {
  ADALORA_CHECK(!config.model_dir.empty(), "model: expected the base model folder, got none");
  ADALORA_CHECK(!config.adapter_dir.empty(), "adapter: expected an adapter folder, got none");
  const torch::Device device = parse_device(config.device, "device");  // before any reading
  TrainedClassifier c;
  // A training output folder stands for its final adapter.
  c.adapter_dir = config.adapter_dir;
  if (!is_adapter_folder(c.adapter_dir) && is_adapter_folder(fs::path(c.adapter_dir) / "adapter")) {
    c.adapter_dir = (fs::path(c.adapter_dir) / "adapter").string();
  }

  std::optional<LabelInfo> labels;
  if (auto path = find_beside(c.adapter_dir, kLabelsFile)) labels = read_labels_json(*path);
  std::string task = config.task;
  if (task.empty()) {
    ADALORA_CHECK(labels, c.adapter_dir, ": task: none given and no ", kLabelsFile,
                  " beside the adapter records one (hint: pass --task)");
    task = labels->task;
  }
  c.spec = &tasks::find_task(task);
  if (labels) {
    ADALORA_CHECK(labels->is_regression == c.spec->is_regression, c.adapter_dir, "/../",
                  kLabelsFile, ": problem_type: the adapter was trained for ",
                  labels->is_regression ? "regression" : "classification", ", but task ",
                  c.spec->name, " is ", c.spec->is_regression ? "regression" : "classification");
    c.label_names = labels->label_names;
  } else if (!c.spec->is_regression && !c.spec->label_names.empty()) {
    c.label_names = c.spec->label_names;
  } else if (!c.spec->is_regression) {
    // A PEFT adapter folder has no labels.json; HF keeps the labels in the model's config.json.
    auto from_config = labels_from_model_config(config.model_dir);
    ADALORA_CHECK(from_config, c.adapter_dir, ": ", kLabelsFile,
                  " not found beside the adapter and no id2label (other than LABEL_0, …) in ",
                  config.model_dir, "/config.json; task ", c.spec->name,
                  " takes its labels from the training data, so their names and order are unknown "
                  "(hint: use the output folder of `adalora train`, which writes it)");
    c.label_names = *from_config;
  }

  // Settings of the run, so that evaluation repeats its batches exactly.
  c.max_seq_length = 128;
  c.batch_size = 32;
  if (auto path = find_beside(c.adapter_dir, "results.json")) {
    const io::Json results = io::load_json_file(*path);
    io::JsonObject o(results, *path);
    c.max_seq_length = o.get_or<int64_t>("max_seq_length", c.max_seq_length);
    c.batch_size = o.get_or<int64_t>("eval_batch_size", c.batch_size);
  }
  if (config.max_seq_length > 0) c.max_seq_length = config.max_seq_length;
  if (config.batch_size > 0) c.batch_size = config.batch_size;

  // Base model with a head of the trained size; the head itself must come from the adapter.
  const int64_t num_labels = c.spec->is_regression ? 1 : static_cast<int64_t>(c.label_names.size());
  c.model =
      models::build_model(classifier_config(config.model_dir, c.spec->is_regression, num_labels),
                          models::TaskHead::SequenceClassification);
  models::LoadReport report;
  models::load_weights(*c.model, config.model_dir, &report);
  std::map<std::string, torch::Tensor> params;
  for (const auto& p : c.model->named_parameters()) params[p.key()] = p.value();
  for (const auto& name : report.newly_initialized) {
    const auto shape = stored_shape(c.adapter_dir, name);
    ADALORA_CHECK(shape, c.adapter_dir, ": tensor \"", name,
                  "\": expected the trained head in the adapter (modules_to_save), found none; "
                  "without it the head would be random");
    const auto it = params.find(name);
    if (it != params.end()) {
      ADALORA_CHECK(*shape == it->second.sizes().vec(), c.adapter_dir, ": tensor \"", name,
                    "\": expected shape ", it->second.sizes(), " (", num_labels, " labels), got ",
                    c10::IntArrayRef(*shape));
    }
  }
  c.method = peft::load_adapter(*c.model, c.adapter_dir);
  // Loaded on the CPU, then moved whole (parameters keep their identity: the method's handles hold).
  c.model->to(device);
  c.model->eval();
  c.tokenizer.emplace(tokenizers::Tokenizer::from_dir(config.tokenizer.empty() ? config.model_dir
                                                                               : config.tokenizer));
  return c;
}

std::map<std::string, double> evaluate_trained(TrainedClassifier& c, const std::string& data_dir,
                                               const std::string& eval_file) {
  const tasks::TaskSpec& spec = *c.spec;
  std::map<std::string, double> out;
  for (size_t i = 0; i < spec.eval_splits.size(); ++i) {
    std::string file = spec.eval_splits[i].file;
    if (i == 0 && !eval_file.empty()) file = eval_file;
    if (file.empty()) continue;
    const data::Dataset d = tasks::read_task_file(spec, resolve(data_dir, file), c.label_names);
    ADALORA_CHECK(d.has_labels, d.path, ": expected labelled rows to evaluate on");
    const EncodedDataset encoded = encode(d, *c.tokenizer, c.max_seq_length);
    for (const auto& [metric, value] : evaluate_split(*c.model, encoded, spec, c.batch_size)) {
      out[spec.eval_splits[i].name + "/" + metric] = value;
    }
  }
  ADALORA_CHECK(!out.empty(), "eval: eval_file: task ", spec.name,
                " needs a dev file to evaluate on");
  return out;
}

std::vector<Prediction> predict(TrainedClassifier& c, const data::Dataset& data) {
  const EncodedDataset encoded = encode(data, *c.tokenizer, c.max_seq_length);
  const torch::Tensor logits = predict_logits(*c.model, encoded, c.batch_size);  // [N, num_labels]
  std::vector<Prediction> out(static_cast<size_t>(encoded.size()));
  if (out.empty()) return out;
  if (c.spec->is_regression) {
    auto v = logits.reshape({-1}).to(torch::kFloat64).contiguous();
    for (size_t i = 0; i < out.size(); ++i) out[i].value = v.data_ptr<double>()[i];
    return out;
  }
  auto probs = torch::softmax(logits.to(torch::kFloat64), -1).contiguous();  // [N, num_labels]
  auto best = logits.argmax(-1).to(torch::kInt64).contiguous();
  const int64_t k = probs.size(1);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].label = best.data_ptr<int64_t>()[i];
    const double* row = probs.data_ptr<double>() + static_cast<int64_t>(i) * k;
    out[i].probabilities.assign(row, row + k);
  }
  return out;
}

}  // namespace adalora::train
