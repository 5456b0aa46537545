// Data-parallel training ≡ one process with the global batch. The ranks are real processes:
// this test binary re-executed through dist::launch_local (so torchrun's variables, Gloo over
// loopback and a free port, exactly as `adalora train --nproc-per-node`), running the disabled
// test DistributedRankProcess.DISABLED_Train, which writes its record for the parent to compare.
// Tiny BERT in float64 without dropout, AdaLoRA through warm-up, budgeting and the final phase.
#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <filesystem>

#include "adalora/dist/local_launcher.h"
#include "adalora/dist/process_group.h"
#include "adalora/io/atomic_file.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/train/trainer.h"
#include "tests/support/golden.h"
#include "tests/unit/train/tiny_task.h"

namespace adalora::train {
namespace {

using adalora::testing::TempDir;

constexpr int64_t kRankBatch = 4;  // per rank; one process uses 2 · 4

// What a run did, step by step, and where it ended.
struct Record {
  std::vector<double> loss, grad_norm;
  std::vector<std::string> masks;  // per step: '1'/'0' per triplet of every matrix
  std::vector<int64_t> total_rank;
  std::vector<std::string> names;  // trainable tensors at the end
  std::vector<torch::Tensor> tensors;
};

std::string mask_string(peft::Method& method) {
  std::string s;
  for (const auto& m : peft::as_adalora(method)->allocator().ranks()) {
    for (const bool kept : m.mask) s += kept ? '1' : '0';
    s += '|';
  }
  return s;
}

// 4 epochs of ⌈n/8⌉ = 4 steps: 16 steps, masks every 2 steps in 4…12 (tinit 3, tfinal 3).
Record train_needle(int64_t n, int64_t batch, std::shared_ptr<dist::ProcessGroup> group,
                    const std::string& out, bool resume = false, int64_t kill_rank1_at = 0) {
  const EncodedDataset data = tiny::needle_dataset(n);
  auto model = tiny::tiny_bert(/*dropout=*/0.0, /*seed=*/0);
  model->to(torch::kFloat64);
  TrainerOptions o;
  o.learning_rate = 5e-3;
  o.num_train_epochs = 4;
  o.per_device_train_batch_size = batch;
  o.world_size = group ? group->world_size() : 1;
  o.warmup_steps = 2;
  o.weight_decay = 0.01;
  o.logging_steps = 1;
  o.save_steps = 2;
  o.output_dir = out;
  o.resume = resume;
  o.check_replicas = group != nullptr;
  auto method = peft::make_method("adalora", *model, tiny::adalora_config(3, 3, 2),
                                  Trainer::total_steps(o, n));
  Trainer trainer(*model, *method, data, o);
  trainer.set_process_group(group);
  Record r;
  trainer.set_step_callback([&](const StepInfo& s) {
    r.loss.push_back(s.loss);
    r.grad_norm.push_back(s.grad_norm);
    r.masks.push_back(mask_string(*method));
    r.total_rank.push_back(s.report.total_rank.value_or(-1));
    if (group && group->rank() == 1 && s.step == kill_rank1_at) ::raise(SIGKILL);
    return true;
  });
  trainer.train();
  for (const auto& [name, t] : method->trainable()) {
    r.names.push_back(name);
    r.tensors.push_back(t.detach().clone());
  }
  return r;
}

void save_record(const Record& r, const std::string& prefix) {
  io::save_json_file(prefix + ".json", {{"loss", r.loss},
                                        {"grad_norm", r.grad_norm},
                                        {"masks", r.masks},
                                        {"total_rank", r.total_rank},
                                        {"names", r.names}});
  torch::save(r.tensors, prefix + ".pt");
}

Record load_record(const std::string& prefix) {
  const io::Json j = io::Json::parse(io::read_file(prefix + ".json"));
  Record r;
  r.loss = j.at("loss").get<std::vector<double>>();
  r.grad_norm = j.at("grad_norm").get<std::vector<double>>();
  r.masks = j.at("masks").get<std::vector<std::string>>();
  r.total_rank = j.at("total_rank").get<std::vector<int64_t>>();
  r.names = j.at("names").get<std::vector<std::string>>();
  torch::load(r.tensors, prefix + ".pt");
  return r;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// The rank process: runs only when re-executed by run_ranks (disabled otherwise).
TEST(DistributedRankProcess, DISABLED_Train) {
  const auto env = dist::Environment::from_env();
  ASSERT_TRUE(env) << "run by DistributedTrainerTest through dist::launch_local";
  const std::string dir = env_or("ADALORA_TEST_DIR", "");
  const int64_t n = std::stoll(env_or("ADALORA_TEST_N", "0"));
  const std::chrono::milliseconds timeout(std::stoll(env_or("ADALORA_TEST_TIMEOUT_MS", "60000")));
  try {
    auto group = dist::ProcessGroup::connect(*env, {timeout});
    const Record r = train_needle(n, kRankBatch, group, dir + "/out",
                                  env_or("ADALORA_TEST_RESUME", "0") == "1",
                                  std::stoll(env_or("ADALORA_TEST_KILL_AT", "0")));
    save_record(r, dir + "/rank_" + std::to_string(env->rank));
  } catch (const std::exception& e) {
    io::write_file_atomic(dir + "/error_" + std::to_string(env->rank) + ".txt", e.what());
    FAIL() << e.what();
  }
}

// Starts 2 ranks of this binary; returns the launcher's exit code.
int run_ranks(const std::string& dir, int64_t n, bool resume = false, int64_t kill_at = 0,
              int64_t timeout_ms = 60000) {
  ::setenv("ADALORA_TEST_DIR", dir.c_str(), 1);
  ::setenv("ADALORA_TEST_N", std::to_string(n).c_str(), 1);
  ::setenv("ADALORA_TEST_RESUME", resume ? "1" : "0", 1);
  ::setenv("ADALORA_TEST_KILL_AT", std::to_string(kill_at).c_str(), 1);
  ::setenv("ADALORA_TEST_TIMEOUT_MS", std::to_string(timeout_ms).c_str(), 1);
  ::setenv("ADALORA_NUM_THREADS", "1", 1);  // 2 ranks on 2 cores
  dist::LaunchOptions o;
  o.nproc = 2;
  o.log_dir = dir;
  o.grace = std::chrono::milliseconds(timeout_ms + 10000);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  return dist::launch_local({self, "--gtest_filter=DistributedRankProcess.DISABLED_Train",
                             "--gtest_also_run_disabled_tests"},
                            o);
}

void expect_same_run(const Record& a, const Record& b, double tol, const std::string& what) {
  ASSERT_EQ(a.loss.size(), b.loss.size()) << what;
  double loss_diff = 0, norm_diff = 0, tensor_diff = 0;
  for (size_t s = 0; s < a.loss.size(); ++s) {
    loss_diff = std::max(loss_diff, std::abs(a.loss[s] - b.loss[s]));
    norm_diff = std::max(norm_diff, std::abs(a.grad_norm[s] - b.grad_norm[s]));
    EXPECT_EQ(a.masks[s], b.masks[s]) << what << ": masks differ after step " << s + 1;
    EXPECT_EQ(a.total_rank[s], b.total_rank[s]) << what << ": step " << s + 1;
  }
  ASSERT_EQ(a.names, b.names) << what;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    tensor_diff = std::max(tensor_diff, (a.tensors[i] - b.tensors[i]).abs().max().item<double>());
  }
  EXPECT_LE(loss_diff, tol) << what;
  EXPECT_LE(norm_diff, tol) << what;
  EXPECT_LE(tensor_diff, tol) << what;
  std::cout << "[ " << what << " ] max |Δ| loss " << loss_diff << ", grad norm " << norm_diff
            << ", final adapter " << tensor_diff << "\n";
}

// n = 30: the last global batch of each epoch has 6 rows (rank 0: 4, rank 1: 2);
// n = 26: it has 2 (rank 1 none: only the regulariser's gradient).
class DistributedTrainerTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(DistributedTrainerTest, TwoRanksOfBatch4EqualOneProcessOfBatch8) {
  const int64_t n = GetParam();
  TempDir dir;
  const Record single = train_needle(n, 2 * kRankBatch, nullptr, dir.file("single"));
  ASSERT_EQ(single.loss.size(), 16u);
  EXPECT_NE(single.masks.front(), single.masks.back()) << "the run must go through budgeting";
  ASSERT_EQ(run_ranks(dir.path(), n), 0);
  const Record rank0 = load_record(dir.file("rank_0")), rank1 = load_record(dir.file("rank_1"));
  expect_same_run(single, rank0, 1e-6, "1 × 8 vs 2 × 4");
  expect_same_run(rank0, rank1, 0, "rank 0 vs rank 1");  // replicas bit-identical
  // Rank 0 alone wrote the outputs; the adapter is the single process's within 1e-6.
  EXPECT_TRUE(std::filesystem::exists(dir.file("out/adapter/adapter_model.safetensors")));
  EXPECT_EQ(io::read_file(dir.file("out/adapter/adapter_config.json")),
            io::read_file(dir.file("single/adapter/adapter_config.json")));  // rank pattern
}

INSTANTIATE_TEST_SUITE_P(LastBatch, DistributedTrainerTest, ::testing::Values(30, 26),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

TEST(DistributedTrainerKillTest, AKilledRankStopsTheOthersAndResumeEndsBitIdentical) {
  TempDir full, killed;
  ASSERT_EQ(run_ranks(full.path(), 30), 0);
  const auto start = std::chrono::steady_clock::now();
  // Rank 1 is killed (SIGKILL) after step 7; rank 0 must fail with an Error, not hang.
  EXPECT_NE(run_ranks(killed.path(), 30, /*resume=*/false, /*kill_at=*/7, /*timeout_ms=*/5000), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string error = io::read_file(killed.file("error_0.txt"));
  EXPECT_NE(error.find("distributed: rank 0: "), std::string::npos) << error;
  EXPECT_NE(error.find("failed (a peer rank stopped"), std::string::npos) << error;
  EXPECT_LT(seconds, 60.0);
  std::cout << "[ kill ] rank 0 stopped " << seconds << " s after launch: " << error << "\n";
  const auto checkpoint = find_checkpoint(killed.file("out/checkpoint"));
  ASSERT_TRUE(checkpoint);
  // Resumed from step 6 with the same world size: the same final adapter, bit for bit.
  ASSERT_EQ(run_ranks(killed.path(), 30, /*resume=*/true), 0);
  const Record a = load_record(full.file("rank_0")), b = load_record(killed.file("rank_0"));
  ASSERT_EQ(a.names, b.names);
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_TRUE(torch::equal(a.tensors[i], b.tensors[i])) << a.names[i];
  }
  EXPECT_EQ(a.masks.back(), b.masks.back());
}

TEST(DistributedTrainerKillTest, ATwoRankCheckpointResumesInOneProcessOfTheSameGlobalBatch) {
  TempDir full, killed;
  ASSERT_EQ(run_ranks(full.path(), 30), 0);
  EXPECT_NE(run_ranks(killed.path(), 30, /*resume=*/false, /*kill_at=*/7, /*timeout_ms=*/5000), 0);
  ASSERT_TRUE(find_checkpoint(killed.file("out/checkpoint")));
  // Steps 7…16 in one process of batch 8 = 2 × 4: the rows of every step are the same, only the
  // summation order differs.
  const Record one = train_needle(30, 2 * kRankBatch, nullptr, killed.file("out"), /*resume=*/true);
  const Record two = load_record(full.file("rank_0"));
  ASSERT_EQ(one.loss.size(), 10u);
  ASSERT_EQ(one.names, two.names);
  double diff = 0;
  for (size_t i = 0; i < one.tensors.size(); ++i) {
    diff = std::max(diff, (one.tensors[i] - two.tensors[i]).abs().max().item<double>());
  }
  EXPECT_LE(diff, 1e-6);
  EXPECT_EQ(one.masks.back(), two.masks.back());
  for (size_t s = 0; s < one.loss.size(); ++s) {
    EXPECT_NEAR(one.loss[s], two.loss[s + 6], 1e-6) << "step " << s + 7;
  }
  std::cout << "[ 2 ranks → 1 process ] final adapter max |Δ| " << diff << "\n";
  // Another global batch reads other rows per step: refused, naming the field.
  TempDir other;
  std::filesystem::copy(killed.file("out"), other.file("out"), std::filesystem::copy_options::recursive);
  try {
    train_needle(30, kRankBatch, nullptr, other.file("out"), /*resume=*/true);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("global_batch_size"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace adalora::train
