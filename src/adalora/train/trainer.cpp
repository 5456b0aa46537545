// The fine-tuning loop (see trainer.h).
#include "adalora/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "adalora/core/device.h"
#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/data/sampler.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/train/grad_clip.h"
#include "adalora/train/optimizer.h"
#include "adalora/train/output_dir.h"
#include "adalora/train/token_loss.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

const TrainerOptions& validated(const TrainerOptions& o) {
  ADALORA_CHECK(!o.output_dir.empty(), "trainer: output_dir: expected a folder, got \"\"");
  ADALORA_CHECK(o.per_device_train_batch_size > 0,
                "trainer: per_device_train_batch_size: expected > 0, got ",
                o.per_device_train_batch_size);
  ADALORA_CHECK(o.gradient_accumulation_steps > 0,
                "trainer: gradient_accumulation_steps: expected > 0, got ",
                o.gradient_accumulation_steps);
  ADALORA_CHECK(o.max_steps > 0 || o.num_train_epochs > 0,
                "trainer: num_train_epochs: expected > 0 (or max_steps > 0), got ",
                o.num_train_epochs);
  ADALORA_CHECK(o.learning_rate >= 0, "trainer: learning_rate: expected ≥ 0, got ",
                o.learning_rate);
  ADALORA_CHECK(o.label_smoothing_factor >= 0 && o.label_smoothing_factor < 1,
                "trainer: label_smoothing_factor: expected a number in [0, 1), got ",
                o.label_smoothing_factor);
  ADALORA_CHECK(o.world_size > 0, "trainer: world_size: expected > 0, got ", o.world_size);
  ADALORA_CHECK(o.eval_steps >= 0 && o.logging_steps >= 0 && o.save_steps >= 0,
                "trainer: eval_steps/logging_steps/save_steps: expected ≥ 0, got ", o.eval_steps,
                "/", o.logging_steps, "/", o.save_steps);
  return o;
}

int64_t checked_size(const EncodedDataset& data) {
  data.validate();
  ADALORA_CHECK(data.size() > 0, "trainer: training data: expected at least one example, got none");
  ADALORA_CHECK(data.has_labels(),
                "trainer: training data: expected labels or targets, got an unlabelled dataset");
  return data.size();
}

bool every(int64_t step, int64_t interval) { return interval > 0 && step % interval == 0; }

// "NaN in the gradient of <tensor> (module <path>)" for the first such trainable tensor.
std::string non_finite_gradient(const std::vector<std::pair<std::string, torch::Tensor>>& named) {
  for (const auto& [name, p] : named) {
    const auto& g = p.grad();
    if (!g.defined() || torch::isfinite(g).all().item<bool>()) continue;
    const std::string what = torch::isnan(g).any().item<bool>() ? "NaN" : "inf";
    const auto dot = name.rfind('.');
    return str_cat(what, " in the gradient of ", name, " (module ",
                   dot == std::string::npos ? name : name.substr(0, dot), ")");
  }
  return "a non-finite gradient norm";
}

// Keeps the lines of an earlier, interrupted run up to `last_step` (the checkpoint's): the resumed
// run writes the rest again. A torn last line (crash mid-write) is dropped.
void truncate_log(const std::string& path, int64_t last_step) {
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  std::ostringstream kept;
  std::string line;
  while (std::getline(in, line)) {
    try {
      check_json_depth(line, path);
    } catch (const Error&) {
      continue;  // not a line we wrote
    }
    const io::Json j = io::Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("step")) continue;
    if (j.at("step").get<int64_t>() <= last_step) kept << line << '\n';
  }
  in.close();
  std::ofstream out(path, std::ios::trunc);
  out << kept.str();
  ADALORA_CHECK(out.good(), path, ": cannot rewrite the training log");
}

// FNV-1a over AdaLoRA's masks and the bytes of every trainable tensor: equal on all ranks unless
// they drifted apart.
uint64_t replica_checksum(peft::Method& method) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  if (auto* adalora = peft::as_adalora(method)) {
    for (const auto& m : adalora->allocator().ranks()) {
      for (const bool kept : m.mask) mix(&kept, 1);
    }
  }
  for (const auto& [name, t] : method.trainable()) {
    const torch::Tensor c = t.detach().contiguous();
    mix(c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size());
  }
  return h;
}

}  // namespace

int64_t Trainer::steps_per_epoch(const TrainerOptions& options, int64_t num_examples) {
  const int64_t global_batch = options.per_device_train_batch_size * options.world_size;
  const int64_t micro = (num_examples + global_batch - 1) / global_batch;
  return std::max<int64_t>(1, micro / options.gradient_accumulation_steps);
}

int64_t Trainer::total_steps(const TrainerOptions& options, int64_t num_examples) {
  validated(options);
  ADALORA_CHECK(num_examples > 0,
                "trainer: training data: expected at least one example, got none");
  if (options.max_steps > 0) return options.max_steps;
  const double steps = std::ceil(options.num_train_epochs *
                                 static_cast<double>(steps_per_epoch(options, num_examples)));
  return std::max<int64_t>(1, static_cast<int64_t>(steps));
}

Trainer::Trainer(models::Model& model, peft::Method& method, const EncodedDataset& train_data,
                 TrainerOptions options)
    : model_(model),
      method_(method),
      data_(train_data),
      options_(validated(options)),
      steps_per_epoch_(steps_per_epoch(options_, checked_size(train_data))),
      total_steps_(total_steps(options_, train_data.size())),
      schedule_(options_.learning_rate,
                resolve_warmup_steps(options_.warmup_steps, options_.warmup_ratio, total_steps_),
                total_steps_),
      log_path_(options_.output_dir + "/log.jsonl") {
  if (auto* adalora = peft::as_adalora(method_)) {
    const int64_t t = adalora->config().total_step;
    ADALORA_CHECK(t == total_steps_, "trainer: adalora total_step: expected ", total_steps_,
                  " (the run's optimizer steps, Trainer::total_steps), got ", t,
                  " (hint: build the method with Trainer::total_steps(options, data size))");
  }
  AdamWConfig adamw;
  adamw.learning_rate = options_.learning_rate;
  adamw.weight_decay = options_.weight_decay;
  adamw.beta1 = options_.adam_beta1;
  adamw.beta2 = options_.adam_beta2;
  adamw.eps = options_.adam_epsilon;
  optimizer_ = build_adamw(model_, adamw);
  for (const auto& item : model_.named_parameters(/*recurse=*/true)) {
    if (item.value().requires_grad()) named_parameters_.emplace_back(item.key(), item.value());
  }
  for (const auto& [name, t] : method_.trainable()) trainable_.push_back(t);
  device_ = device_of(model_);
}

void Trainer::set_process_group(std::shared_ptr<dist::ProcessGroup> group) {
  ADALORA_CHECK(!group || group->world_size() == options_.world_size,
                "trainer: world_size: expected the process group's size ",
                group ? group->world_size() : 0, ", got ", options_.world_size);
  group_ = std::move(group);
}

void Trainer::average_gradients(double& step_loss) {
  // A gradient undefined on every rank (an unused parameter) stays undefined, as in one process;
  // one defined anywhere (a rank without rows has only the regulariser's) is averaged with zeros.
  const auto count = static_cast<int64_t>(named_parameters_.size());
  torch::Tensor defined_and_loss = torch::zeros({count + 1}, torch::kFloat64);  // [P + 1]
  auto* flags = defined_and_loss.data_ptr<double>();
  for (int64_t i = 0; i < count; ++i) flags[i] = named_parameters_[i].second.grad().defined();
  flags[count] = step_loss;
  group_->sum(defined_and_loss);
  flags = defined_and_loss.data_ptr<double>();
  std::vector<torch::Tensor> grads;
  for (int64_t i = 0; i < count; ++i) {
    torch::Tensor& p = named_parameters_[i].second;
    if (flags[i] == 0) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  group_->average(grads);
  step_loss = flags[count] / static_cast<double>(group_->world_size());
}

void Trainer::check_replicas(int64_t step) {
  const uint64_t mine = replica_checksum(method_);
  const std::vector<int64_t> all = group_->all_gather(static_cast<int64_t>(mine));
  for (size_t r = 0; r < all.size(); ++r) {
    if (static_cast<uint64_t>(all[r]) == mine) continue;
    throw Error(str_cat("distributed: step ", step + 1, ": rank ", group_->rank(),
                        " and rank ", r, " disagree on the masks or trainable tensors (checksums ",
                        mine, " vs ", static_cast<uint64_t>(all[r]),
                        "); stopped rather than train diverging replicas"));
  }
}

io::Json Trainer::fingerprint() const {
  io::Json j = {{"seed", options_.seed},
          {"num_examples", data_.size()},
          // The data position is a function of the step and the global batch B·W alone, so a run
          // resumes on another world size with the same global batch (within float summation order).
          {"global_batch_size", options_.per_device_train_batch_size * options_.world_size},
          {"gradient_accumulation_steps", options_.gradient_accumulation_steps},
          {"total_steps", total_steps_},
          {"learning_rate", options_.learning_rate},
          {"warmup_steps", schedule_.warmup_steps()},
          {"weight_decay", options_.weight_decay},
          {"max_grad_norm", options_.max_grad_norm}};
  if (options_.label_smoothing_factor > 0) j["label_smoothing_factor"] = options_.label_smoothing_factor;
  return j;
}

void Trainer::write_log(const io::Json& line) {
  if (!is_main()) return;
  std::ofstream out(log_path_, std::ios::app);
  out << line.dump() << '\n';
  ADALORA_CHECK(out.good(), log_path_, ": cannot append to the training log");
}

torch::Tensor Trainer::accumulate_gradients(int64_t step, const std::vector<int64_t>& order) {
  const int64_t n = data_.size();
  const int64_t batch = options_.per_device_train_batch_size;
  const int64_t world = options_.world_size;
  const int64_t rank = group_ ? group_->rank() : 0;
  const int64_t global_batch = batch * world;
  const int64_t micro_per_epoch = (n + global_batch - 1) / global_batch;
  const int64_t first = (step % steps_per_epoch_) * options_.gradient_accumulation_steps;
  const int64_t last = std::min(first + options_.gradient_accumulation_steps, micro_per_epoch);
  const int64_t count = last - first;
  std::vector<torch::Tensor> losses;  // [1] each, float64, on the device: read once per step
  for (int64_t m = first; m < last; ++m) {
    // This rank's rows [lo, hi) of the global micro-batch [begin, end) (all of it when W = 1).
    const int64_t begin = m * global_batch, end = std::min(begin + global_batch, n);
    const int64_t lo = std::min(begin + rank * batch, end), hi = std::min(lo + batch, end);
    torch::Tensor task_loss;  // []
    if (hi > lo) {
      const Batch b = collate(data_, std::vector<int64_t>(order.begin() + lo, order.begin() + hi));
      const models::ModelOutputs out = model_.forward(b.to_model_inputs(device_));
      ADALORA_CHECK(out.loss.defined(),
                    "trainer: model: expected a loss for labelled inputs, got none");
      task_loss = options_.label_smoothing_factor > 0
                      ? label_smoothed_loss(out.logits, b.labels.to(out.logits.device()), options_.label_smoothing_factor,
                                            model_.head() == models::TaskHead::CausalLM)
                      : out.loss;
      // A short shard at an epoch's end weighs by its rows: the rank average is the mean over all.
      if ((hi - lo) * world != end - begin) {
        task_loss = task_loss * (static_cast<double>((hi - lo) * world) /
                                 static_cast<double>(end - begin));
      }
    } else {
      task_loss = torch::zeros({}, named_parameters_.front().second.options().requires_grad(false));
    }
    // Scaled like the task loss: k micro-batches accumulate the gradient of their mean.
    const torch::Tensor loss =
        method_.add_regularizer(task_loss) / static_cast<double>(count);  // []
    // A non-finite loss is found at the step's one host read, before the optimizer step: its
    // backward has run by then, which changes nothing that is kept (the step is refused).
    if (loss.requires_grad()) loss.backward();  // false only for a row-less rank without regulariser
    losses.push_back(loss.detach().to(torch::kFloat64).reshape({1}));
  }
  return torch::cat(losses);  // [count]
}

double Trainer::checked_step_loss(int64_t step, const double* losses, int64_t count) const {
  double step_loss = 0;  // summed in micro-batch order, as the values were read
  for (int64_t m = 0; m < count; ++m) {
    const double value = losses[m];
    if (!std::isfinite(value)) {
      const auto checkpoint = find_checkpoint(options_.output_dir + "/checkpoint");
      throw Error(str_cat("training: step ", step + 1, " (epoch ", step / steps_per_epoch_,
                          ", micro-batch ", m + 1, " of ", count,
                          "): loss: expected a "
                          "finite number, got ",
                          value, "; stopped. ",
                          checkpoint ? "The last good checkpoint is " + *checkpoint
                                     : std::string("No checkpoint was written yet."),
                          " (hint: lower the learning rate)"));
    }
    step_loss += value;
  }
  return step_loss;
}

Evaluation Trainer::evaluate(TrainState& state) {
  const bool was_training = model_.is_training();
  model_.eval();
  Evaluation ev;
  {
    torch::NoGradGuard no_grad;
    ev = evaluate_(model_, state.global_step);
  }
  model_.train(was_training);
  auto it = ev.metrics.find(ev.primary_metric);
  if (it == ev.metrics.end()) {
    std::string known;
    for (const auto& [k, v] : ev.metrics) known += (known.empty() ? "" : ", ") + k;
    throw Error(str_cat("evaluation: primary_metric: expected one of the returned metrics (", known,
                        "), got \"", ev.primary_metric, "\""));
  }
  const double value = it->second;
  const bool improved =
      !state.best_metric ||
      (options_.greater_is_better ? value > *state.best_metric : value < *state.best_metric);
  if (improved) {
    state.best_metric = value;
    state.best_step = state.global_step;
    io::Json record = {{"step", state.global_step},
                       {"primary_metric", ev.primary_metric},
                       {"metrics", ev.metrics}};
    if (is_main()) {
      write_folder_atomic(options_.output_dir + "/best", [&](const std::string& dir) {
        method_.save(dir);
        io::save_json_file(dir + "/eval.json", record);
      });
    }
  }
  io::Json line = {{"step", state.global_step},
                   {"epoch", static_cast<double>(state.global_step) / steps_per_epoch_}};
  for (const auto& [k, v] : ev.metrics) line["eval_" + k] = v;
  line["primary_metric"] = ev.primary_metric;
  line["best_metric"] = *state.best_metric;
  line["best_step"] = state.best_step;
  write_log(line);
  return ev;
}

TrainResult Trainer::train() {
  ADALORA_CHECK(options_.world_size == (group_ ? group_->world_size() : 1),
                "trainer: world_size: expected ", group_ ? group_->world_size() : 1,
                " (the process group's size; 1 without one), got ", options_.world_size);
  // Before any work: refuse another run's folder and a disk without room for the checkpoints.
  if (is_main()) prepare_output_dir(options_.output_dir, {options_.resume, options_.overwrite});
  fs::create_directories(options_.output_dir);
  uint64_t trainable_bytes = 0;
  for (const auto& [name, p] : named_parameters_) trainable_bytes += p.numel() * p.element_size();
  check_free_space(options_.output_dir, bytes_needed_for_run(trainable_bytes));
  const std::string checkpoint_dir = options_.output_dir + "/checkpoint";
  TrainState state;
  state.total_steps = total_steps_;
  state.fingerprint = fingerprint();
  if (options_.resume) {
    const auto found = find_checkpoint(checkpoint_dir);
    ADALORA_CHECK(found, checkpoint_dir,
                  ": expected a checkpoint to resume from, found none "
                  "(hint: start without resume)");
    state = load_checkpoint(*found, method_, *optimizer_, named_parameters_, fingerprint());
    if (is_main()) truncate_log(log_path_, state.global_step);
  } else {
    torch::manual_seed(options_.seed);
    if (is_main()) fs::remove(log_path_);
  }
  std::vector<torch::Tensor> parameters;
  for (const auto& [name, p] : named_parameters_) parameters.push_back(p);
  if (group_) group_->broadcast(parameters);  // every replica starts from rank 0's state

  const bool was_training = model_.is_training();
  model_.train();
  const data::EpochSampler sampler(data_.size(), options_.seed);
  int64_t order_epoch = -1;
  std::vector<int64_t> order;
  TrainResult result;
  auto last_log_time = std::chrono::steady_clock::now();
  const double max_norm =
      options_.max_grad_norm > 0 ? options_.max_grad_norm : std::numeric_limits<double>::infinity();

  while (state.global_step < total_steps_) {
    const int64_t step = state.global_step;  // 0-based index of the step being taken
    const int64_t epoch = step / steps_per_epoch_;
    if (epoch != order_epoch) {
      order = sampler.order(epoch);
      order_epoch = epoch;
    }
    // The step's one host read (docs/devices.md): the micro-batch losses and the gradient norm,
    // copied together before the optimizer step, so that a non-finite one refuses the step.
    const torch::Tensor losses = accumulate_gradients(step, order);  // [k] float64
    const int64_t k = losses.size(0);
    double loss = 0;
    if (group_) {  // Gloo all-reduces host numbers: the losses are read (and checked) first
      const torch::Tensor host = losses.to(torch::kCPU);
      loss = checked_step_loss(step, host.data_ptr<double>(), k);
      average_gradients(loss);
    }
    const torch::Tensor norm = total_grad_norm(trainable_);  // [] or undefined (no gradient)
    const torch::Tensor norm64 = norm.defined() ? norm.to(torch::kFloat64).reshape({1})
                                                : torch::zeros({1}, losses.options());
    const torch::Tensor host = (group_ ? norm64 : torch::cat({losses, norm64})).to(torch::kCPU);
    const double* values = host.data_ptr<double>();
    if (!group_) loss = checked_step_loss(step, values, k);
    const double grad_norm = values[group_ ? 0 : k];
    if (!std::isfinite(grad_norm)) {
      // Refused before scaling, so the gradients still show where it started.
      throw Error(str_cat("training: step ", step + 1, ": gradient: expected finite values, got ",
                          non_finite_gradient(named_parameters_),
                          "; stopped before the optimizer step (hint: lower the learning rate)"));
    }
    scale_gradients(trainable_, norm, max_norm);
    const double lr = schedule_.lr(step);
    set_learning_rate(*optimizer_, lr);
    optimizer_->step();
    const peft::StepReport report = method_.after_optimizer_step(step);
    optimizer_->zero_grad();
    if (group_ && options_.check_replicas) {
      const auto* adalora = peft::as_adalora(method_);
      if (every(step + 1, adalora ? adalora->config().deltaT : 1)) check_replicas(step);
    }

    state.global_step = step + 1;
    state.epoch = state.global_step / steps_per_epoch_;
    state.step_in_epoch = state.global_step % steps_per_epoch_;
    state.loss_since_log += loss;
    state.steps_since_log += 1;
    const bool last = state.global_step == total_steps_;

    StepInfo info;
    info.step = state.global_step;
    info.total_steps = total_steps_;
    info.epoch = static_cast<double>(state.global_step) / steps_per_epoch_;
    info.loss = loss;
    info.learning_rate = lr;
    info.grad_norm = grad_norm;
    info.report = report;

    if (every(state.global_step, options_.logging_steps) || (last && options_.logging_steps > 0)) {
      const auto now = std::chrono::steady_clock::now();
      const double seconds = std::chrono::duration<double>(now - last_log_time).count();
      io::Json line = {{"step", state.global_step},
                       {"epoch", info.epoch},
                       {"loss", state.loss_since_log / static_cast<double>(state.steps_since_log)},
                       {"lr", lr},
                       {"grad_norm", grad_norm}};
      if (report.budget) line["budget"] = *report.budget;
      if (report.total_rank) line["total_rank"] = *report.total_rank;
      if (report.log_values) for (const auto& [key, value] : report.log_values()) line[key] = value;
      line["steps_per_second"] =
          seconds > 0 ? static_cast<double>(state.steps_since_log) / seconds : 0.0;
      write_log(line);
      state.loss_since_log = 0;
      state.steps_since_log = 0;
      last_log_time = now;
    }
    if (evaluate_ && (every(state.global_step, options_.eval_steps) || last)) {
      result.last_evaluation = evaluate(state);
    }
    bool keep_going = !on_step_ || on_step_(info) || last;  // a stop at the end is the end
    if (group_) {  // one rank asking to stop stops all
      const torch::Tensor stops = torch::full({1}, keep_going ? 0.0 : 1.0, torch::kFloat64);
      group_->sum(stops);
      keep_going = stops.item<double>() == 0;
    }
    if (is_main() && (every(state.global_step, options_.save_steps) || !keep_going || last)) {
      save_checkpoint(checkpoint_dir, state, method_, *optimizer_, named_parameters_);
    }
    if (!keep_going) {
      result.stopped = true;
      break;
    }
  }

  if (!result.stopped && is_main()) {
    write_folder_atomic(options_.output_dir + "/adapter",
                        [&](const std::string& dir) { method_.save(dir); });
  }
  model_.train(was_training);
  result.global_step = state.global_step;
  result.best_metric = state.best_metric;
  result.best_step = state.best_step;
  return result;
}

}  // namespace adalora::train
