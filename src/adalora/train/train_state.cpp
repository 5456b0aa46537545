// Training checkpoints for exact resume (see train_state.h).
#include "adalora/train/train_state.h"

#include <ATen/CPUGeneratorImpl.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <map>
#include <mutex>

#include "adalora/core/error.h"
#include "adalora/core/torch_compat.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/safetensors.h"

namespace adalora::train {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "adalora-train-checkpoint";
constexpr int64_t kVersion = 2;  // 2: trainer_state.json lists every file with size and checksum
constexpr const char* kStateFile = "trainer_state.json";  // written last: marks a complete folder
constexpr const char* kFiles[] = {"trainable.safetensors", "optimizer.safetensors",
                                  "method_state.safetensors", "method_state.json",
                                  "rng_state.safetensors"};

// 64-bit FNV-1a of the file's bytes: detects truncation and bit rot (not an adversary).
std::string checksum_of(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return str_cat(std::hex, std::setw(16), std::setfill('0'), h);
}

// Test hook (crash-safety tests): ADALORA_TEST_KILL_IN_CHECKPOINT="<step>:<n>" makes the process
// SIGKILL itself after writing the n-th file of the checkpoint of global step <step>, the way a
// power cut or the OOM killer would.
void maybe_killed_after_file(int64_t step, int64_t written) {
  const char* env = std::getenv("ADALORA_TEST_KILL_IN_CHECKPOINT");
  if (env != nullptr && str_cat(step, ":", written) == env) ::raise(SIGKILL);
}

// The key LibTorch's optimizers use for a parameter's state (optimizer.h; differs in 2.x).
auto state_key(const torch::optim::AdamW& optimizer, const torch::Tensor& p) {
  return compat::optimizer_state_key(optimizer, p);
}

// TensorImpl address → name, for every parameter the optimizer holds.
std::map<const void*, std::string> optimizer_parameter_names(
    const torch::optim::AdamW& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters) {
  std::map<const void*, std::string> by_impl;
  for (const auto& [name, t] : named_parameters) by_impl[t.unsafeGetTensorImpl()] = name;
  std::map<const void*, std::string> out;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      auto it = by_impl.find(p.unsafeGetTensorImpl());
      ADALORA_CHECK(it != by_impl.end(), "checkpoint: optimizer parameter of shape ", p.sizes(),
                    ": expected a name among the model's parameters, got none");
      out[it->first] = it->second;
    }
  }
  return out;
}

io::Json to_json(const TrainState& s) {
  io::Json j = io::Json::object();
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["global_step"] = s.global_step;
  j["epoch"] = s.epoch;
  j["step_in_epoch"] = s.step_in_epoch;
  j["total_steps"] = s.total_steps;
  j["loss_since_log"] = s.loss_since_log;
  j["steps_since_log"] = s.steps_since_log;
  j["best_metric"] = s.best_metric ? io::Json(*s.best_metric) : io::Json(nullptr);
  j["best_step"] = s.best_step;
  j["fingerprint"] = s.fingerprint;
  return j;
}

TrainState from_json(const io::Json& json, const std::string& source) {
  io::JsonObject o(json, source);
  const auto format = o.get<std::string>("format");
  ADALORA_CHECK(format == kFormat, source, ": format: expected \"", kFormat, "\", got \"", format,
                "\"");
  const auto version = o.get<int64_t>("version");
  ADALORA_CHECK(version == kVersion, source, ": version: expected ", kVersion, ", got ", version);
  TrainState s;
  s.global_step = o.get<int64_t>("global_step");
  s.epoch = o.get<int64_t>("epoch");
  s.step_in_epoch = o.get<int64_t>("step_in_epoch");
  s.total_steps = o.get<int64_t>("total_steps");
  s.loss_since_log = o.get<double>("loss_since_log");
  s.steps_since_log = o.get<int64_t>("steps_since_log");
  s.best_metric = o.get_optional<double>("best_metric");
  s.best_step = o.get<int64_t>("best_step");
  s.fingerprint = o.raw("fingerprint");
  return s;
}

void check_fingerprint(const io::Json& saved, const io::Json& expected, const std::string& source) {
  for (const auto& [key, value] : expected.items()) {
    const bool present = saved.is_object() && saved.contains(key);
    ADALORA_CHECK(present && saved.at(key) == value, source, ": fingerprint.", key, ": expected ",
                  value.dump(), " (this run), got ", present ? saved.at(key).dump() : "nothing",
                  " (hint: resume with the settings of the interrupted run, or start afresh "
                  "without resume)");
  }
}

std::map<std::string, torch::Tensor> load_all(const io::SafetensorsFile& file) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : file.names()) out[name] = file.load(name);
  return out;
}

torch::Tensor load_shaped(const io::SafetensorsFile& file, const std::string& name,
                          const torch::Tensor& like) {
  ADALORA_CHECK(file.contains(name), file.path(), ": tensor \"", name,
                "\": expected in the checkpoint, got nothing");
  torch::Tensor t = file.load(name);
  ADALORA_CHECK(t.sizes() == like.sizes() && t.scalar_type() == like.scalar_type(), file.path(),
                ": tensor \"", name, "\": expected shape ", like.sizes(), " ", like.scalar_type(),
                ", got ", t.sizes(), " ", t.scalar_type());
  return t.to(like.device());  // optimizer moments beside their parameter (CPU or GPU)
}

void write_checkpoint_files(
    const fs::path& tmp, const TrainState& state, const peft::Method& method,
    const torch::optim::AdamW& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters) {
  io::save_safetensors((tmp / "trainable.safetensors").string(), method.trainable());

  const auto names = optimizer_parameter_names(optimizer, named_parameters);
  std::vector<std::pair<std::string, torch::Tensor>> moments;
  io::Json steps = io::Json::object();
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      auto it = optimizer.state().find(state_key(optimizer, p));
      if (it == optimizer.state().end()) continue;  // never stepped (no gradient yet)
      const auto& st = static_cast<const torch::optim::AdamWParamState&>(*it->second);
      const std::string& name = names.at(p.unsafeGetTensorImpl());
      moments.emplace_back(name + ".exp_avg", st.exp_avg());
      moments.emplace_back(name + ".exp_avg_sq", st.exp_avg_sq());
      steps[name] = st.step();
    }
  }
  io::save_safetensors((tmp / "optimizer.safetensors").string(), moments);

  io::save_safetensors((tmp / "method_state.safetensors").string(), method.state_tensors());
  io::save_json_file((tmp / "method_state.json").string(), method.state_json());

  torch::Tensor rng;
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    rng = gen.get_state();  // [N] uint8
  }
  io::save_safetensors((tmp / "rng_state.safetensors").string(), {{"cpu", rng}});

  io::Json j = to_json(state);
  j["optimizer_steps"] = steps;
  j["method"] = method.name();
  io::Json files = io::Json::object();
  int64_t written = 0;
  for (const char* name : kFiles) {
    const std::string bytes = io::read_file((tmp / name).string());
    files[name] = {{"bytes", bytes.size()}, {"fnv1a64", checksum_of(bytes)}};
    maybe_killed_after_file(state.global_step, ++written);
  }
  j["files"] = files;
  io::save_json_file((tmp / kStateFile).string(), j);
}

// Every file of the checkpoint has the size and checksum its manifest recorded.
void verify_files(const fs::path& root, const io::JsonObject& files) {
  for (const char* name : kFiles) {
    const std::string path = (root / name).string();
    const io::JsonObject expected = files.object(name);
    ADALORA_CHECK(fs::exists(path), path, ": missing from the checkpoint (its manifest ",
                  files.source(), " lists it); the folder was damaged after it was written");
    const std::string bytes = io::read_file(path);
    const auto size = expected.get<uint64_t>("bytes");
    const auto sum = expected.get<std::string>("fnv1a64");
    ADALORA_CHECK(bytes.size() == size && checksum_of(bytes) == sum, path,
                  ": checkpoint file is truncated or corrupted: expected ", size, " bytes with fnv1a64 ",
                  sum, ", got ", bytes.size(), " bytes with ", checksum_of(bytes),
                  " (hint: the previous checkpoint is lost; start afresh without --resume)");
  }
}

}  // namespace

void write_folder_atomic(const std::string& dir,
                         const std::function<void(const std::string&)>& write) {
  const fs::path final_dir(dir), tmp(dir + ".tmp"), old(dir + ".old");
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  write(tmp.string());
  // The previous folder stays complete under .old until the new one is in place.
  if (fs::exists(final_dir)) {
    fs::remove_all(old);
    fs::rename(final_dir, old);
  }
  fs::rename(tmp, final_dir);
  fs::remove_all(old);
}

void save_checkpoint(const std::string& dir, const TrainState& state, const peft::Method& method,
                     const torch::optim::AdamW& optimizer,
                     const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters) {
  write_folder_atomic(dir, [&](const std::string& tmp_dir) {
    write_checkpoint_files(fs::path(tmp_dir), state, method, optimizer, named_parameters);
  });
}

std::optional<std::string> find_checkpoint(const std::string& dir) {
  for (const std::string& candidate : {dir, dir + ".old"}) {
    if (fs::exists(fs::path(candidate) / kStateFile)) return candidate;
  }
  return std::nullopt;
}

TrainState load_checkpoint(
    const std::string& dir, peft::Method& method, torch::optim::AdamW& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters,
    const io::Json& expected_fingerprint) {
  const fs::path root(dir);
  const std::string state_path = (root / kStateFile).string();
  const io::Json j = io::load_json_file(state_path);
  TrainState state = from_json(j, state_path);
  verify_files(root, io::JsonObject(j, state_path).object("files"));
  check_fingerprint(state.fingerprint, expected_fingerprint, state_path);
  const std::string saved_method = io::JsonObject(j, state_path).get<std::string>("method");
  ADALORA_CHECK(saved_method == method.name(), state_path, ": method: expected \"", method.name(),
                "\" (this run), got \"", saved_method, "\"");

  torch::NoGradGuard no_grad;
  {
    auto file = io::SafetensorsFile::open((root / "trainable.safetensors").string());
    const auto trainable = method.trainable();
    ADALORA_CHECK(file.names().size() == trainable.size(), file.path(), ": expected ",
                  trainable.size(), " trainable tensors (this run), got ", file.names().size());
    for (const auto& [name, t] : trainable) t.copy_(load_shaped(file, name, t));
  }
  {
    auto file = io::SafetensorsFile::open((root / "method_state.safetensors").string());
    method.load_state(load_all(file), io::load_json_file((root / "method_state.json").string()));
  }
  {
    auto file = io::SafetensorsFile::open((root / "optimizer.safetensors").string());
    const io::Json& steps = io::JsonObject(j, state_path).raw("optimizer_steps");
    const io::JsonObject step_counts(steps, state_path + ": optimizer_steps");  // field-checked reads
    const auto names = optimizer_parameter_names(optimizer, named_parameters);
    size_t restored = 0;
    for (const auto& group : optimizer.param_groups()) {
      for (const auto& p : group.params()) {
        const std::string& name = names.at(p.unsafeGetTensorImpl());
        optimizer.state().erase(state_key(optimizer, p));
        if (!steps.contains(name)) continue;
        auto st = std::make_unique<torch::optim::AdamWParamState>();
        st->step(step_counts.get<int64_t>(name));
        st->exp_avg(load_shaped(file, name + ".exp_avg", p));
        st->exp_avg_sq(load_shaped(file, name + ".exp_avg_sq", p));
        optimizer.state()[state_key(optimizer, p)] = std::move(st);
        ++restored;
      }
    }
    ADALORA_CHECK(restored == steps.size(), state_path,
                  ": optimizer_steps: expected only names of "
                  "this run's trainable parameters, got ",
                  steps.size(), " entries of which ", restored, " match");
  }
  {
    auto file = io::SafetensorsFile::open((root / "rng_state.safetensors").string());
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(file.load("cpu"));
  }
  return state;
}

}  // namespace adalora::train
