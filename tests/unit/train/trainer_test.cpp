// The training loop on a tiny random BERT and a learnable synthetic task (tiny_task.h): loss goes
// down (AdaLoRA, LoRA), k micro-batches ≡ one batch of k·B, resume is bit-exact (stops in the
// warm-up, budgeting and final phases of AdaLoRA), NaN stops with the step named, best checkpoint.
#include "adalora/train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "tests/support/golden.h"
#include "tests/unit/train/tiny_task.h"

namespace adalora::train {
namespace {

using adalora::testing::TempDir;
using tiny::adalora_config;
using tiny::lora_config;
using tiny::needle_dataset;
using tiny::snapshot;
using tiny::tiny_bert;

// A model + method + trainer, built the way the CLI will: seed, model, total_steps, method.
struct TrainRun {
  TrainRun(const std::string& method_name, const io::Json& method_config,
           const EncodedDataset& data, const TrainerOptions& options, double dropout = 0.1) {
    model = tiny_bert(dropout, /*seed=*/0);
    method = peft::make_method(method_name, *model, method_config,
                               Trainer::total_steps(options, data.size()));
    trainer = std::make_unique<Trainer>(*model, *method, data, options);
  }
  models::ModelPtr model;
  peft::MethodPtr method;
  std::unique_ptr<Trainer> trainer;
};

std::vector<io::Json> read_log(const std::string& path, bool drop_timing) {
  std::vector<io::Json> lines;
  std::istringstream in(io::read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    io::Json j = io::Json::parse(line);
    if (drop_timing) j.erase("steps_per_second");
    lines.push_back(j);
  }
  return lines;
}

void expect_all_equal(const std::vector<std::pair<std::string, torch::Tensor>>& a,
                      const std::vector<std::pair<std::string, torch::Tensor>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second))
        << a[i].first << ": max |diff| " << (a[i].second - b[i].second).abs().max().item<double>();
  }
}

TEST(TrainerTest, TotalStepsAsHfCountsThem) {
  TrainerOptions o;
  o.output_dir = "unused";
  o.per_device_train_batch_size = 8;
  o.gradient_accumulation_steps = 2;
  o.num_train_epochs = 3;
  // ⌈100/8⌉ = 13 micro-batches → ⌊13/2⌋ = 6 optimizer steps per epoch.
  EXPECT_EQ(Trainer::steps_per_epoch(o, 100), 6);
  EXPECT_EQ(Trainer::total_steps(o, 100), 18);
  o.num_train_epochs = 2.5;
  EXPECT_EQ(Trainer::total_steps(o, 100), 15);
  o.num_train_epochs = 1;
  EXPECT_EQ(Trainer::total_steps(o, 3), 1);  // fewer micro-batches than k: one step per epoch
  o.max_steps = 7;
  EXPECT_EQ(Trainer::total_steps(o, 100), 7);
  o.gradient_accumulation_steps = 0;
  EXPECT_THROW(Trainer::total_steps(o, 100), Error);
}

class TrainerLossTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainerLossTest, LossGoesDownOnTheNeedleTask) {
  TempDir dir;
  const EncodedDataset data = needle_dataset(64);
  TrainerOptions o;
  // AdaLoRA's λ starts at 0 and A, B at N(0, 0.02): its updates start smaller than LoRA's.
  o.learning_rate = GetParam() == "adalora" ? 5e-2 : 2e-2;
  o.num_train_epochs = 10;
  o.per_device_train_batch_size = 8;
  o.warmup_ratio = 0.1;
  o.logging_steps = 4;
  o.save_steps = 0;
  o.output_dir = dir.path();
  const io::Json config = GetParam() == "adalora" ? adalora_config(10, 20, 2) : lora_config();
  TrainRun run(GetParam(), config, data, o);
  const auto before = tiny::evaluate_on(*run.model, data);
  const TrainResult result = run.trainer->train();
  const auto after = tiny::evaluate_on(*run.model, data);
  std::cout << "[ " << GetParam() << " ] " << result.global_step << " steps: loss " << before.loss
            << " → " << after.loss << ", accuracy " << before.accuracy << " → " << after.accuracy
            << "\n";
  EXPECT_EQ(result.global_step, 80);
  EXPECT_LT(after.loss, 0.6 * before.loss);
  EXPECT_GT(after.accuracy, 0.7);  // LoRA reaches ~0.98, AdaLoRA (rank 2 at the end) ~0.73

  const auto log = read_log(dir.file("log.jsonl"), /*drop_timing=*/false);
  ASSERT_EQ(log.size(), 20u);
  EXPECT_EQ(log.back().at("step"), 80);
  EXPECT_DOUBLE_EQ(log.back().at("epoch").get<double>(), 10.0);
  for (const char* key : {"loss", "lr", "grad_norm", "steps_per_second"}) {
    EXPECT_TRUE(log.back().contains(key)) << key;
  }
  EXPECT_LT(log.back().at("loss").get<double>(), log.front().at("loss").get<double>());
  if (GetParam() == "adalora") {
    EXPECT_EQ(log.back().at("total_rank"), 8);  // target_r 2 × 4 matrices
    EXPECT_EQ(log.back().at("budget"), 8);
    EXPECT_TRUE(std::filesystem::exists(dir.file("adapter/adapter_model.safetensors")));
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, TrainerLossTest, ::testing::Values("adalora", "lora"),
                         [](const auto& info) { return info.param; });

// AdamW's first moment after step 1 is (1 − β₁)·g: the accumulated gradient, read back exactly.
std::map<std::string, torch::Tensor> first_moments(TrainRun& run) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : run.model->named_parameters()) {
    const auto& state = run.trainer->optimizer().state();
    auto it = state.find(c10::guts::to_string(item.value().unsafeGetTensorImpl()));
    if (it == state.end()) continue;
    out[item.key()] =
        static_cast<const torch::optim::AdamWParamState&>(*it->second).exp_avg().clone();
  }
  return out;
}

TEST(TrainerTest, AccumulatedMicroBatchesEqualOneLargeBatch) {
  const EncodedDataset data = needle_dataset(16);
  auto one_step = [&](int64_t batch, int64_t k, const std::string& out) {
    TrainerOptions o;
    o.learning_rate = 1e-3;
    o.max_steps = 10;
    o.per_device_train_batch_size = batch;
    o.gradient_accumulation_steps = k;
    o.logging_steps = 0;
    o.save_steps = 0;
    o.output_dir = out;
    auto run =
        std::make_unique<TrainRun>("adalora", adalora_config(3, 3, 1), data, o, /*dropout=*/0.0);
    run->trainer->set_step_callback([](const StepInfo&) { return false; });
    run->trainer->train();
    return run;
  };
  TempDir a, b;
  auto large = one_step(16, 1, a.path());
  auto micro = one_step(4, 4, b.path());
  const auto g_large = first_moments(*large);
  const auto g_micro = first_moments(*micro);
  ASSERT_EQ(g_large.size(), g_micro.size());
  ASSERT_EQ(g_large.size(), 4u * 3 + 2);  // A, B, E of 4 matrices + classifier weight, bias
  double max_abs = 0, max_ref = 0;
  for (const auto& [name, g] : g_large) {
    max_abs = std::max(max_abs, (g - g_micro.at(name)).abs().max().item<double>());
    max_ref = std::max(max_ref, g.abs().max().item<double>());
    EXPECT_TRUE(torch::allclose(g_micro.at(name), g, /*rtol=*/1e-4, /*atol=*/1e-7)) << name;
  }
  std::cout << "[ accumulation ] 4 × 4 vs 1 × 16: max |Δ(1−β₁)g| = " << max_abs
            << " (max |(1−β₁)g| = " << max_ref << ")\n";
  for (const auto& [name, t] : large->method->trainable()) {
    const auto& other = micro->method->trainable();
    auto it =
        std::find_if(other.begin(), other.end(), [&](const auto& p) { return p.first == name; });
    ASSERT_NE(it, other.end());
    EXPECT_TRUE(torch::allclose(it->second, t, /*rtol=*/1e-4, /*atol=*/1e-5)) << name;
  }
}

TrainerOptions resume_options(const std::string& out) {
  TrainerOptions o;
  o.learning_rate = 5e-3;
  o.num_train_epochs = 2;  // 48 examples, B 4, k 2: 12 micro-batches → 6 steps per epoch → 12
  o.per_device_train_batch_size = 4;
  o.gradient_accumulation_steps = 2;
  o.warmup_steps = 2;
  o.weight_decay = 0.01;
  o.logging_steps = 1;
  o.eval_steps = 4;
  o.save_steps = 4;
  o.output_dir = out;
  return o;
}

// tinit 3, tfinal 3, ΔT 2 over 12 steps: warm-up steps 0–3, budgeting 4–8 (masks at 4, 6, 8),
// force mask at 9, final phase 10–11.
io::Json resume_adalora_config() { return adalora_config(3, 3, 2); }

Evaluation accuracy_of(models::Model& model, const EncodedDataset& data) {
  return {{{"accuracy", tiny::evaluate_on(model, data).accuracy}}, "accuracy"};
}

class TrainerResumeTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(TrainerResumeTest, InterruptedRunEndsBitIdentical) {
  const int64_t stop_after = GetParam();
  const EncodedDataset data = needle_dataset(48);
  auto evaluator = [&](models::Model& m, int64_t) { return accuracy_of(m, data); };

  TempDir straight_dir, resumed_dir;
  TrainRun straight("adalora", resume_adalora_config(), data, resume_options(straight_dir.path()));
  straight.trainer->set_evaluator(evaluator);
  EXPECT_EQ(straight.trainer->train().global_step, 12);
  const auto expected = snapshot(*straight.method);

  {
    TrainRun first("adalora", resume_adalora_config(), data, resume_options(resumed_dir.path()));
    first.trainer->set_evaluator(evaluator);
    first.trainer->set_step_callback([&](const StepInfo& s) { return s.step < stop_after; });
    const TrainResult r = first.trainer->train();
    EXPECT_TRUE(r.stopped);
    EXPECT_EQ(r.global_step, stop_after);
  }  // everything destroyed; the generator is disturbed too
  torch::rand({17});

  TrainerOptions o = resume_options(resumed_dir.path());
  o.resume = true;
  TrainRun second("adalora", resume_adalora_config(), data, o);
  second.trainer->set_evaluator(evaluator);
  const TrainResult r = second.trainer->train();
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.global_step, 12);

  expect_all_equal(snapshot(*second.method), expected);
  EXPECT_EQ(peft::as_adalora(*second.method)->allocator().rank_pattern(),
            peft::as_adalora(*straight.method)->allocator().rank_pattern());
  EXPECT_EQ(io::read_file(resumed_dir.file("adapter/adapter_model.safetensors")),
            io::read_file(straight_dir.file("adapter/adapter_model.safetensors")));
  EXPECT_EQ(read_log(resumed_dir.file("log.jsonl"), true),
            read_log(straight_dir.file("log.jsonl"), true));
}

INSTANTIATE_TEST_SUITE_P(
    StopPhases, TrainerResumeTest, ::testing::Values(2, 5, 7, 10), [](const auto& info) {
      const int64_t s = info.param;
      return str_cat("StopAfterStep", s, s <= 4 ? "WarmUp" : s <= 9 ? "Budgeting" : "Final");
    });

TEST(TrainerTest, SameRunTwiceIsBitIdentical) {
  const EncodedDataset data = needle_dataset(48);
  TempDir a, b;
  TrainRun one("lora", lora_config(), data, resume_options(a.path()));
  one.trainer->train();
  TrainRun two("lora", lora_config(), data, resume_options(b.path()));
  two.trainer->train();
  expect_all_equal(snapshot(*one.method), snapshot(*two.method));
}

TEST(TrainerTest, NonFiniteLossStopsNamingTheStepAndKeepsTheCheckpoint) {
  TempDir dir;
  const EncodedDataset data = needle_dataset(48);
  TrainerOptions o = resume_options(dir.path());
  o.save_steps = 2;
  o.eval_steps = 0;
  TrainRun run("adalora", resume_adalora_config(), data, o);
  std::vector<std::pair<std::string, torch::Tensor>> at_step_4;
  run.trainer->set_step_callback([&](const StepInfo& s) {
    if (s.step == 4) at_step_4 = snapshot(*run.method);
    if (s.step == 5) {  // poison the classifier: step 6's loss is NaN
      torch::NoGradGuard no_grad;
      run.model->named_parameters()["classifier.weight"].fill_(std::nan(""));
    }
    return true;
  });
  try {
    run.trainer->train();
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("training: step 6 (epoch 0, micro-batch 1 of 2): loss: expected a finite "
                        "number, got nan"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(dir.file("checkpoint")), std::string::npos) << what;
  }
  const io::Json state = io::load_json_file(dir.file("checkpoint/trainer_state.json"));
  EXPECT_EQ(state.at("global_step"), 4);
  auto file = io::SafetensorsFile::open(dir.file("checkpoint/trainable.safetensors"));
  ASSERT_FALSE(at_step_4.empty());
  for (const auto& [name, t] : at_step_4) EXPECT_TRUE(torch::equal(file.load(name), t)) << name;
  EXPECT_FALSE(std::filesystem::exists(dir.file("adapter")));
}

TEST(TrainerTest, NonFiniteGradientStopsNamingTheModule) {
  TempDir dir;
  const EncodedDataset data = needle_dataset(48);
  TrainerOptions o = resume_options(dir.path());
  o.eval_steps = 0;
  TrainRun run("adalora", resume_adalora_config(), data, o);
  std::string poisoned;  // a trainable tensor whose gradient turns NaN from step 3 on (loss stays finite)
  for (const auto& p : run.model->named_parameters()) {
    if (p.value().requires_grad() && p.key().find("layer.1.") != std::string::npos &&
        p.key().find("lora_A") != std::string::npos) {
      poisoned = p.key();
      break;
    }
  }
  ASSERT_FALSE(poisoned.empty());
  run.trainer->set_step_callback([&](const StepInfo& s) {
    if (s.step == 2) {
      run.model->named_parameters()[poisoned].register_hook(
          [](const torch::Tensor& g) { return g * std::nan(""); });
    }
    return true;
  });
  try {
    run.trainer->train();
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string module = poisoned.substr(0, poisoned.rfind('.'));
    EXPECT_EQ(std::string(e.what()), "training: step 3: gradient: expected finite values, got NaN in the gradient of " +
                                         poisoned + " (module " + module +
                                         "); stopped before the optimizer step (hint: lower the learning rate)");
  }
}

TEST(TrainerTest, KeepsTheBestCheckpointByThePrimaryMetric) {
  TempDir dir;
  const EncodedDataset data = needle_dataset(48);
  TrainerOptions o = resume_options(dir.path());  // 12 steps, eval every 4
  o.logging_steps = 0;
  TrainRun run("lora", lora_config(), data, o);
  const std::vector<double> scripted = {0.5, 0.9, 0.7};
  size_t calls = 0;
  run.trainer->set_evaluator([&](models::Model& m, int64_t step) {
    EXPECT_FALSE(m.is_training());
    EXPECT_EQ(step, static_cast<int64_t>(4 * (calls + 1)));
    return Evaluation{{{"accuracy", scripted.at(calls++)}, {"f1", 0.1}}, "accuracy"};
  });
  const TrainResult r = run.trainer->train();
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(r.best_step, 8);
  EXPECT_DOUBLE_EQ(*r.best_metric, 0.9);
  const io::Json best = io::load_json_file(dir.file("best/eval.json"));
  EXPECT_EQ(best.at("step"), 8);
  EXPECT_TRUE(std::filesystem::exists(dir.file("best/adapter_model.safetensors")));
  const auto log = read_log(dir.file("log.jsonl"), false);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2].at("eval_accuracy"), 0.7);
  EXPECT_EQ(log[2].at("best_step"), 8);
}

TEST(TrainerTest, ErrorsNameTheProblem) {
  TempDir dir;
  const EncodedDataset data = needle_dataset(48);
  TrainerOptions o = resume_options(dir.path());
  {
    auto model = tiny_bert(0.1, 0);
    auto method = peft::make_method("adalora", *model, resume_adalora_config(), 20);
    try {
      Trainer t(*model, *method, data, o);
      FAIL() << "expected Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("trainer: adalora total_step: expected 12"),
                std::string::npos)
          << e.what();
    }
  }
  o.resume = true;
  {
    TrainRun run("lora", lora_config(), data, o);
    EXPECT_THROW(run.trainer->train(), Error);  // nothing to resume from
  }
  o.resume = false;
  {
    TrainRun run("lora", lora_config(), data, o);
    run.trainer->set_step_callback([](const StepInfo&) { return false; });
    run.trainer->train();
  }
  o.resume = true;
  o.seed = 43;
  TrainRun run("lora", lora_config(), data, o);
  try {
    run.trainer->train();
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint.seed: expected 43 (this run), got 42"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace adalora::train
