// Training checkpoints (train/train_state.h): what is saved comes back exactly, the folder swap
// is atomic, mismatched runs are refused with the field named.
#include "adalora/train/train_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/train/optimizer.h"
#include "tests/support/golden.h"
#include "tests/unit/train/tiny_task.h"

namespace adalora::train {
namespace {

using adalora::testing::TempDir;
namespace fs = std::filesystem;

struct Fixture {
  Fixture() {
    model = tiny::tiny_bert(0.1, 0);
    method = peft::make_method("lora", *model, tiny::lora_config(), 10);
    optimizer = build_adamw(*model, AdamWConfig{});
    for (const auto& item : model->named_parameters()) {
      if (item.value().requires_grad()) named.emplace_back(item.key(), item.value());
    }
  }
  void step(const EncodedDataset& data) {
    model->train();
    const Batch b = collate(data, {0, 1, 2, 3});
    model->forward(b.to_model_inputs()).loss.backward();
    optimizer->step();
    optimizer->zero_grad();
  }
  std::map<std::string, torch::optim::AdamWParamState*> states() {
    std::map<std::string, torch::optim::AdamWParamState*> out;
    for (const auto& [name, p] : named) {
      auto it = optimizer->state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it != optimizer->state().end()) {
        out[name] = static_cast<torch::optim::AdamWParamState*>(it->second.get());
      }
    }
    return out;
  }
  models::ModelPtr model;
  peft::MethodPtr method;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  std::vector<std::pair<std::string, torch::Tensor>> named;
};

TEST(TrainStateTest, RestoresTrainableOptimizerRngAndPosition) {
  TempDir dir;
  const EncodedDataset data = tiny::needle_dataset(8);
  const io::Json fingerprint = {{"seed", 42}, {"per_device_train_batch_size", 4}};
  Fixture a;
  a.step(data);
  a.step(data);
  TrainState state;
  state.global_step = 2;
  state.epoch = 1;
  state.step_in_epoch = 0;
  state.total_steps = 10;
  state.loss_since_log = 0.1 + 0.2;  // not exactly representable: must round-trip
  state.steps_since_log = 2;
  state.best_metric = 0.75;
  state.best_step = 2;
  state.fingerprint = fingerprint;
  const std::string ckpt = dir.file("checkpoint");
  save_checkpoint(ckpt, state, *a.method, *a.optimizer, a.named);
  const torch::Tensor next_draw = torch::rand({8});
  ASSERT_EQ(find_checkpoint(ckpt), ckpt);

  Fixture b;  // fresh weights of the same shapes, empty optimizer state, another generator state
  const TrainState loaded = load_checkpoint(ckpt, *b.method, *b.optimizer, b.named, fingerprint);
  EXPECT_EQ(loaded.global_step, 2);
  EXPECT_EQ(loaded.epoch, 1);
  EXPECT_EQ(loaded.total_steps, 10);
  EXPECT_EQ(loaded.loss_since_log, 0.1 + 0.2);
  EXPECT_EQ(loaded.steps_since_log, 2);
  EXPECT_EQ(loaded.best_metric, 0.75);
  EXPECT_TRUE(torch::equal(torch::rand({8}), next_draw));

  const auto ta = a.method->trainable(), tb = b.method->trainable();
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_TRUE(torch::equal(ta[i].second, tb[i].second)) << ta[i].first;
  }
  auto sa = a.states(), sb = b.states();
  ASSERT_EQ(sa.size(), sb.size());
  ASSERT_EQ(sa.size(), ta.size());
  for (const auto& [name, s] : sa) {
    ASSERT_TRUE(sb.count(name)) << name;
    EXPECT_EQ(sb[name]->step(), 2);
    EXPECT_TRUE(torch::equal(sb[name]->exp_avg(), s->exp_avg())) << name;
    EXPECT_TRUE(torch::equal(sb[name]->exp_avg_sq(), s->exp_avg_sq())) << name;
  }
  // Both continue identically (from the same generator state: they share the global one).
  auto gen = at::detail::getDefaultCPUGenerator();
  const torch::Tensor rng = gen.get_state();
  a.step(data);
  gen.set_state(rng);
  b.step(data);
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_TRUE(torch::equal(ta[i].second, tb[i].second)) << ta[i].first;
  }
}

TEST(TrainStateTest, FolderSwapIsAtomicAndFallsBackToOld) {
  TempDir dir;
  const std::string target = dir.file("checkpoint");
  EXPECT_FALSE(find_checkpoint(target));
  write_folder_atomic(target, [](const std::string& d) { io::write_file_atomic(d + "/a", "1"); });
  write_folder_atomic(target, [](const std::string& d) { io::write_file_atomic(d + "/b", "2"); });
  EXPECT_FALSE(fs::exists(target + "/a"));
  EXPECT_EQ(io::read_file(target + "/b"), "2");
  EXPECT_FALSE(fs::exists(target + ".tmp"));
  EXPECT_FALSE(fs::exists(target + ".old"));
  // A writer that throws leaves the current folder alone.
  EXPECT_THROW(write_folder_atomic(target, [](const std::string&) { throw Error("boom"); }), Error);
  EXPECT_EQ(io::read_file(target + "/b"), "2");

  // A crash between the two renames: only <dir>.old is complete.
  Fixture s;
  TrainState state;
  save_checkpoint(target, state, *s.method, *s.optimizer, s.named);
  fs::rename(target, target + ".old");
  EXPECT_EQ(find_checkpoint(target), target + ".old");
}

TEST(TrainStateTest, TruncatedOrCorruptedFileIsNamedOnLoad) {
  for (const bool truncate : {true, false}) {
    TempDir dir;
    const std::string ckpt = dir.file("checkpoint");
    Fixture a;
    TrainState state;
    save_checkpoint(ckpt, state, *a.method, *a.optimizer, a.named);
    const std::string path = ckpt + "/trainable.safetensors";
    std::string bytes = io::read_file(path);
    if (truncate) {
      bytes.resize(bytes.size() - 7);
    } else {
      bytes[bytes.size() - 3] ^= 0x01;  // one bit of a tensor value: the file still parses
    }
    io::write_file_atomic(path, bytes);
    try {
      load_checkpoint(ckpt, *a.method, *a.optimizer, a.named, state.fingerprint);
      FAIL() << "expected Error";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": checkpoint file is truncated or corrupted: expected ", 0), 0u)
          << e.what();
    }
  }
}

TEST(TrainStateTest, KillDuringCheckpointWriteKeepsThePreviousOne) {
  TempDir dir;
  const std::string ckpt = dir.file("checkpoint");
  Fixture a;
  TrainState first;
  first.global_step = 3;
  save_checkpoint(ckpt, first, *a.method, *a.optimizer, a.named);
  for (int after_files = 1; after_files <= 5; ++after_files) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // the child writes step 4 and is killed after `after_files` files
      setenv("ADALORA_TEST_KILL_IN_CHECKPOINT", ("4:" + std::to_string(after_files)).c_str(), 1);
      TrainState second;
      second.global_step = 4;
      save_checkpoint(ckpt, second, *a.method, *a.optimizer, a.named);
      _exit(0);  // not reached
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "after " << after_files << " files";
    ASSERT_EQ(find_checkpoint(ckpt), ckpt);
    EXPECT_EQ(load_checkpoint(ckpt, *a.method, *a.optimizer, a.named, first.fingerprint).global_step, 3)
        << "after " << after_files << " files";
  }
  // The next save replaces the leftover .tmp.
  TrainState third;
  third.global_step = 5;
  save_checkpoint(ckpt, third, *a.method, *a.optimizer, a.named);
  EXPECT_FALSE(fs::exists(ckpt + ".tmp"));
  EXPECT_EQ(load_checkpoint(ckpt, *a.method, *a.optimizer, a.named, third.fingerprint).global_step, 5);
}

// A step count of the wrong JSON type in trainer_state.json escaped as nlohmann::type_error (a
// crash, found reading the checkpoint parser for #17); now an Error naming file and parameter.
TEST(TrainStateTest, MalformedOptimizerStepCountIsNamedOnLoad) {
  TempDir dir;
  const std::string ckpt = dir.file("checkpoint");
  Fixture a;
  a.step(tiny::needle_dataset(8));
  TrainState state;
  save_checkpoint(ckpt, state, *a.method, *a.optimizer, a.named);
  const std::string path = ckpt + "/trainer_state.json";
  io::Json j = io::load_json_file(path);
  ASSERT_FALSE(j.at("optimizer_steps").empty());
  const std::string name = j.at("optimizer_steps").begin().key();
  j["optimizer_steps"][name] = "1";
  io::save_json_file(path, j);
  try {
    load_checkpoint(ckpt, *a.method, *a.optimizer, a.named, state.fingerprint);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": optimizer_steps: " + name + ": expected an integer, got \"1\"");
  }
}

TEST(TrainStateTest, RefusesAnotherRunsCheckpoint) {
  TempDir dir;
  const std::string ckpt = dir.file("checkpoint");
  Fixture a;
  TrainState state;
  state.fingerprint = {{"seed", 42}, {"gradient_accumulation_steps", 2}};
  save_checkpoint(ckpt, state, *a.method, *a.optimizer, a.named);
  try {
    load_checkpoint(ckpt, *a.method, *a.optimizer, a.named,
                    {{"seed", 42}, {"gradient_accumulation_steps", 4}});
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("trainer_state.json: fingerprint."
                                         "gradient_accumulation_steps: expected 4 (this run), "
                                         "got 2"),
              std::string::npos)
        << e.what();
  }
  auto model = tiny::tiny_bert(0.1, 0);
  auto full = peft::make_method("bitfit", *model, io::Json::object(), 10);
  auto opt = build_adamw(*model, AdamWConfig{});
  try {
    load_checkpoint(ckpt, *full, *opt, {}, state.fingerprint);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("method: expected \"bitfit\" (this run), got \"lora\""),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace adalora::train
