// What does a training step cost with AdaLoRA, against LoRA at the same init_r and against the frozen
// base with backward through every layer (issue 7)? Random-initialised models of bert-base and
// deberta-v3-base shape (and a small one), sequence 128, batch 8 by default; on request causal LMs
// (issue 12: gpt2-small, llama-160m; llama-1b) with the next-token loss. Five configurations:
//
//   frozen             every base parameter frozen except the embeddings' LayerNorm (causal LMs: the
//                      first layer's input norm; a tiny trainable tensor at the bottom), so backward
//                      runs through every layer for
//                      activation gradients only — as when adapters sit in every layer
//   lora               LoRA r = init_r on the six matrices of every layer
//   adalora_warmup     AdaLoRA (init_r → target_r) in warm-up: importance EMAs, no mask
//   adalora_budgeting  budgeting phase with ΔT = 1: importance EMAs + threshold mask every step
//   adalora_final      final phase: λ re-zeroed by the fixed pattern
//
// One step = forward + loss (+ γ·R for AdaLoRA) + backward + AdamW step (+ allocator) + zero_grad.
// Timing: all five configurations and a GEMM sample run in the SAME process, interleaved round by
// round, so load from other processes hits them alike; ratios of medians are what counts.
// Peak memory: VmHWM is monotonic, so each of frozen / lora / adalora (one run through its three
// phases) runs in a fork()ed child started before the parent runs any parallel LibTorch op (no
// OpenMP pool exists yet to be broken by fork); the child reports VmHWM and the VmRSS after building.
//
// Output: one JSON line per configuration, one summary line per model shape.
//   train_step_bench [--quick] [--shapes small,bert-base,deberta-v3-base,llama-1b,gpt2-small,llama-160m]
//                    [--batch 8[,16,32]] [--seq 128[,256,512]] [--warmup N] [--repeats N] [--threads N] [--no-memory]
//                    [--profile DIR] [--eval] [--device cpu|cuda[:N]] [--autocast none|bf16]
// Lists for --batch and --seq give the scaling table: every (shape, batch, seq), one summary line each.
// --eval: after each shape's training rounds, eval-mode forwards of frozen, LoRA and AdaLoRA with
// the adapter path and with adapters merged (peft::MergedForEval), interleaved; one line each.
// --device cuda (issue 18; NOT run on this project's machines, see docs/devices.md): models and
// inputs on the GPU, each step ends with torch::cuda::synchronize(); peak memory is the CUDA
// caching allocator's peak of allocated bytes, one configuration at a time in this process
// (fork does not mix with CUDA), in builds whose LibTorch has CUDA. --autocast bf16: forward and
// loss under CUDA autocast to bfloat16 (backward outside it, as torch.autocast is used); the CUDA
// path times the first --batch and --seq only.
// --profile DIR: after the timed rounds, one more step per configuration under LibTorch's legacy
// profiler, written as a Chrome trace DIR/<shape>.<config>.json (op names and durations).
#include <sys/wait.h>
#include <unistd.h>

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#ifdef ADALORA_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <torch/cuda.h>

#include "adalora/core/blas.h"
#include "adalora/core/device.h"
#include "adalora/core/torch_compat.h"
#include "adalora/core/threads.h"
#include "adalora/io/json.h"
#include "adalora/models/model.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/merged_for_eval.h"

namespace {

using namespace adalora;

struct Options {
  std::vector<std::string> shapes = {"small", "bert-base", "deberta-v3-base"};
  int64_t batch = 8;
  int64_t seq = 128;
  int warmup = 2;
  int repeats = 7;
  int threads = 0;
  bool memory = true;
  std::string profile_dir;  ///< non-empty: one traced step per configuration, written there
  std::vector<int64_t> batches = {8};  ///< --batch list: the scaling table's rows
  std::vector<int64_t> seqs = {128};   ///< --seq list
  bool eval = false;                   ///< also time evaluation forwards, merged against unmerged
  int64_t init_r = 12;
  int64_t target_r = 8;
  std::string device = "cpu";
  bool autocast_bf16 = false;
};

struct ShapeDef {
  const char* name;
  const char* config;  // HF config.json (the public checkpoint's, as tools/adalora/init_model.cpp)
  const char* targets;  // regex over module paths: the six matrices of every layer
  bool causal_lm = false;                          // LLaMA, GPT-2: CausalLM head, labels = input ids
  const char* bottom = "embeddings.LayerNorm.";  // the one trainable tensor of "frozen"
};

constexpr const char* kBertTargets =
    R"(.*encoder\.layer\.[0-9]+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense))";
constexpr const char* kLlamaTargets =
    R"(.*layers\.[0-9]+\.(self_attn\.(q_proj|k_proj|v_proj|o_proj)|mlp\.(gate_proj|up_proj|down_proj)))";
constexpr const char* kGpt2Targets = R"(.*h\.[0-9]+\.(attn\.(c_attn|c_proj)|mlp\.(c_fc|c_proj)))";
constexpr const char* kDebertaTargets =
    R"(.*encoder\.layer\.[0-9]+\.(attention\.self\.(query_proj|key_proj|value_proj)|attention\.output\.dense|intermediate\.dense|output\.dense))";

const std::vector<ShapeDef>& shape_table() {
  static const std::vector<ShapeDef> table = {
      {"small", R"({"model_type": "bert", "vocab_size": 30522, "hidden_size": 256,
        "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "num_labels": 2})",
       kBertTargets},
      {"bert-base", R"({"model_type": "bert", "vocab_size": 30522, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "position_embedding_type": "absolute",
        "num_labels": 2})",
       kBertTargets},
      {"deberta-v3-base", R"({"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512, "type_vocab_size": 0, "initializer_range": 0.02,
        "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
        "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
        "pos_att_type": "p2c|c2p", "position_biased_input": false, "pad_token_id": 0,
        "num_labels": 2})",
       kDebertaTargets},
      // TinyLlama-1.1B's shape (22 layers, GQA 32/4 heads): "a LLaMA shape" of issue 18.
      {"llama-1b", R"({"model_type": "llama", "vocab_size": 32000, "hidden_size": 2048,
        "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4,
        "intermediate_size": 5632, "hidden_act": "silu", "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false,
        "initializer_range": 0.02})",
       kLlamaTargets, /*causal_lm=*/true, "layers.0.input_layernorm."},
      // GPT-2 small (124M, tied head; Conv1D weights: the adapters are fan_in_fan_out).
      {"gpt2-small", R"({"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024,
        "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": 3072,
        "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1,
        "attn_pdrop": 0.1, "layer_norm_epsilon": 1e-5, "initializer_range": 0.02})",
       kGpt2Targets, /*causal_lm=*/true, "h.0.ln_1."},
      // A 162M LLaMA (JackFram/llama-160m's shape: 12 layers of 768, MHA, untied head).
      {"llama-160m", R"({"model_type": "llama", "vocab_size": 32000, "hidden_size": 768,
        "num_hidden_layers": 12, "num_attention_heads": 12, "num_key_value_heads": 12,
        "intermediate_size": 3072, "hidden_act": "silu", "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": false,
        "initializer_range": 0.02})",
       kLlamaTargets, /*causal_lm=*/true, "layers.0.input_layernorm."},
  };
  return table;
}

const ShapeDef& find_shape(const std::string& name) {
  for (const auto& s : shape_table()) {
    if (name == s.name) return s;
  }
  std::cerr << "train_step_bench: unknown shape \"" << name
            << "\"; expected small, bert-base, deberta-v3-base, llama-1b, gpt2-small or llama-160m\n";
  std::exit(2);
}

// ---- FLOP model of the frozen-base step (../shared/reference/perf_cost_model.md) ----------------
// N = B·T tokens. Per encoder layer: 4·N·d_in·d_out for each of the six linears (forward + dX);
// attention QKᵀ and P·V: forward 4·B·T²·C, backward twice that (both operands need gradients).
// DeBERTa (share_att_key, c2p|p2c, R = 2·position_buckets relative rows): the c2p / p2c products
// 2·2·B·T·R·C forward and the same again backward (only q / k need gradients when the base is
// frozen), plus the query_proj / key_proj of the R relative embeddings, forward only (2·2·R·C²).
// Embeddings, layer norms, softmax, GELU, the pooler and the classifier are not counted.
// GPT-2 Conv1D layers c_attn (C×3C), c_proj (C×C), c_fc (C×F), mlp.c_proj (F×C) count as BERT's six.
// The causal-LM heads' C×V projection is not counted either.
struct ModelDims {
  int64_t hidden, intermediate, layers;
};
// GPT-2 configs spell the dimensions n_embd / n_inner / n_layer.
ModelDims dims_of(const io::Json& c) {
  if (c.contains("n_embd")) {
    return {c.at("n_embd").get<int64_t>(), c.at("n_inner").get<int64_t>(), c.at("n_layer").get<int64_t>()};
  }
  return {c.at("hidden_size").get<int64_t>(), c.at("intermediate_size").get<int64_t>(),
          c.at("num_hidden_layers").get<int64_t>()};
}

double frozen_step_flops(const io::Json& c, int64_t B, int64_t T) {
  const double N = static_cast<double>(B * T);
  const auto dims = dims_of(c);
  const double C = static_cast<double>(dims.hidden);
  const double F = static_cast<double>(dims.intermediate);
  const double L = static_cast<double>(dims.layers);
  double per_layer = 4.0 * N * (4.0 * C * C + 2.0 * C * F) + 12.0 * B * T * T * C;
  if (c.at("model_type") == "llama") {  // q, o: C×C; k, v: C×C·kv/heads; gate, up, down: C×F
    const double kv = c.at("num_key_value_heads").get<double>() / c.at("num_attention_heads").get<double>();
    per_layer = 4.0 * N * (2.0 * C * C + 2.0 * C * C * kv + 3.0 * C * F) + 12.0 * B * T * T * C;
  }
  if (c.at("model_type") == "deberta-v2") {
    const double R = 2.0 * c.at("position_buckets").get<double>();
    per_layer += 8.0 * B * T * R * C + 4.0 * R * C * C;
  }
  return L * per_layer;
}

// ---- process memory -------------------------------------------------------------------------
int64_t status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  }
  return -1;
}

// ---- the configurations ---------------------------------------------------------------------
enum class Kind { Frozen, Lora, AdaLora };
const char* kind_name(Kind k) {
  return k == Kind::Frozen ? "frozen" : k == Kind::Lora ? "lora" : "adalora";
}

// AdaLoRA schedule: warm-up steps ≤ 100, budgeting 101..899 (mask every step), final ≥ 901.
constexpr int64_t kTinit = 100, kTfinal = 100, kTotal = 1000;
enum class Phase { None, Warmup, Budgeting, Final };

struct Runner {
  Kind kind;
  models::ModelPtr model;
  peft::MethodPtr lora;
  std::optional<peft::AdaLora> adalora;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int64_t trainable = 0;
  int64_t phase_step[4] = {0, 0, kTinit + 1, kTotal - kTfinal + 1};
};

Runner make_runner(Kind kind, const ShapeDef& shape, const Options& opt) {
  Runner r;
  r.kind = kind;
  torch::manual_seed(0);
  r.model = models::build_model(io::HfConfig(io::Json::parse(shape.config), shape.name),
                                shape.causal_lm ? models::TaskHead::CausalLM
                                                : models::TaskHead::SequenceClassification);
  r.model->to(parse_device(opt.device));  // the adapters are made beside the weights
  r.model->train();
  std::vector<torch::Tensor> params;
  if (kind == Kind::Frozen) {
    for (auto& p : r.model->named_parameters()) {
      const auto& n = p.key();
      const bool bottom = n.find(shape.bottom) != std::string::npos;
      p.value().set_requires_grad(bottom);
      if (bottom) params.push_back(p.value());
    }
  } else if (kind == Kind::Lora) {
    peft::LoraConfig c;
    c.r = opt.init_r;
    c.lora_alpha = 8;
    c.targets.regex = shape.targets;
    r.lora = peft::attach_lora(*r.model, c);
    for (auto& [n, p] : r.lora->trainable()) params.push_back(p);
  } else {
    peft::AdaLoraConfig c;
    c.init_r = opt.init_r;
    c.target_r = opt.target_r;
    c.tinit = kTinit;
    c.tfinal = kTfinal;
    c.total_step = kTotal;
    c.deltaT = 1;
    c.targets.regex = shape.targets;
    r.adalora.emplace(peft::AdaLora::attach(*r.model, c));
    params = r.adalora->parameters();
  }
  for (const auto& p : params) r.trainable += p.numel();
  r.optimizer = std::make_unique<torch::optim::AdamW>(
      params, torch::optim::AdamWOptions(1e-4).weight_decay(0.01));
  return r;
}

models::ModelInputs make_inputs(const ShapeDef& shape, const Options& opt) {
  const auto config = io::Json::parse(shape.config);
  torch::manual_seed(1);
  models::ModelInputs in;
  const torch::Device device = parse_device(opt.device);
  in.input_ids = torch::randint(1, config.at("vocab_size").get<int64_t>(), {opt.batch, opt.seq}, torch::kInt64);
  in.attention_mask = torch::ones({opt.batch, opt.seq}, torch::kInt64);
  if (shape.causal_lm) {
    in.labels = in.input_ids.clone();  // next-token loss, as LlamaForCausalLM(labels=input_ids)
  } else {
    in.token_type_ids = torch::zeros({opt.batch, opt.seq}, torch::kInt64).to(device);
    in.labels = torch::randint(0, 2, {opt.batch}, torch::kInt64);
  }
  in.input_ids = in.input_ids.to(device);
  in.attention_mask = in.attention_mask.to(device);
  in.labels = in.labels.to(device);
  return in;
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool g_cuda = false, g_autocast_bf16 = false;  // set once in main from the options

// One training step; for AdaLoRA, `phase` picks the global step (and so the allocator's action).
double train_step(Runner& r, const models::ModelInputs& in, Phase phase) {
  const auto t0 = Clock::now();
  if (g_autocast_bf16) compat::set_cuda_autocast(true, torch::kBFloat16);
  auto loss = r.model->forward(in).loss;
  if (r.adalora) loss = r.adalora->add_regularizer(loss);
  if (g_autocast_bf16) compat::set_cuda_autocast(false, torch::kBFloat16);
  loss.backward();
  if (r.adalora) {
    r.adalora->set_global_step(r.phase_step[static_cast<int>(phase)]++);
    r.adalora->step(*r.optimizer);
  } else {
    r.optimizer->step();
    r.optimizer->zero_grad();
  }
  if (g_cuda) torch::cuda::synchronize();  // the GPU's time, not the launch time
  return ms_since(t0);
}

// ---- statistics -----------------------------------------------------------------------------
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

// ---- peak memory in a child process ------------------------------------------------------------
struct Memory {
  int64_t peak_kb = -1;   // VmHWM at the end of the child's run
  int64_t model_kb = -1;  // VmRSS after building the model and attaching the method
};

Memory measure_memory(Kind kind, const ShapeDef& shape, const Options& opt) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  std::cout.flush();
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Memory m;
    try {
      configure_threads(opt.threads);
      auto r = make_runner(kind, shape, opt);
      const auto in = make_inputs(shape, opt);
      m.model_kb = status_kb("VmRSS");
      if (kind == Kind::AdaLora) {
        for (Phase p : {Phase::Warmup, Phase::Warmup, Phase::Budgeting, Phase::Budgeting,
                        Phase::Final, Phase::Final}) {
          train_step(r, in, p);
        }
      } else {
        for (int i = 0; i < 4; ++i) train_step(r, in, Phase::None);
      }
      m.peak_kb = status_kb("VmHWM");
    } catch (const std::exception& e) {
      std::cerr << "train_step_bench: memory child (" << kind_name(kind) << "): " << e.what() << "\n";
    }
    const ssize_t written = write(fds[1], &m, sizeof(m));
    _exit(written == static_cast<ssize_t>(sizeof(m)) ? 0 : 1);
  }
  close(fds[1]);
  Memory m;
  if (read(fds[0], &m, sizeof(m)) != static_cast<ssize_t>(sizeof(m))) m = {};
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return m;
}

// ---- peak GPU memory (CUDA builds) ------------------------------------------------------------
// One configuration at a time: build it, run its steps, read the allocator's peak, free it.
Memory measure_cuda_memory(Kind kind, const ShapeDef& shape, const Options& opt) {
  Memory m;
#ifdef ADALORA_WITH_CUDA
  const auto device = parse_device(opt.device);
  const int index = device.has_index() ? device.index() : 0;
  {
    torch::cuda::synchronize();
    c10::cuda::CUDACachingAllocator::emptyCache();
    c10::cuda::CUDACachingAllocator::resetPeakStats(index);
    auto r = make_runner(kind, shape, opt);
    const auto in = make_inputs(shape, opt);
    torch::cuda::synchronize();
    m.model_kb = c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].current / 1024;
    const std::vector<Phase> phases =
        kind == Kind::AdaLora ? std::vector<Phase>{Phase::Warmup, Phase::Warmup, Phase::Budgeting,
                                                   Phase::Budgeting, Phase::Final, Phase::Final}
                              : std::vector<Phase>(4, Phase::None);
    for (Phase p : phases) train_step(r, in, p);
    m.peak_kb = c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].peak / 1024;
  }
  c10::cuda::CUDACachingAllocator::emptyCache();
#else
  (void)kind, (void)shape, (void)opt;
  std::cerr << "train_step_bench: peak GPU memory needs a build against a LibTorch with CUDA\n";
#endif
  return m;
}

// ---- GEMM peak --------------------------------------------------------------------------------
// x [N, K] · Wᵀ (W [M, K]) as torch::linear does, for the model's three linear shapes; one sample =
// best of 3 calls into a preallocated output.
struct Gemm {
  int64_t n, k, m;
  torch::Tensor x, w, out;
  std::vector<double> gflops;
};

void sample_gemm(Gemm& g) {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    torch::mm_out(g.out, g.x, g.w.t());
    if (g_cuda) torch::cuda::synchronize();
    best = std::min(best, ms_since(t0));
  }
  g.gflops.push_back(2.0 * g.n * g.k * g.m / (best * 1e-3) / 1e9);
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << std::fixed << v;
  return s.str();
}

// ---- evaluation: adapters merged (peft::MergedForEval) against the adapter path (--eval) ----------
// One eval-mode forward (no grad) of the same batch per configuration, interleaved round by round.
// The merged forwards run while a guard is held; merging and restoring the weights (once per
// evaluation, not per batch) is timed on its own.
void time_eval(const ShapeDef& shape, const Options& opt, int threads, std::vector<Runner*> runners,
               const models::ModelInputs& in) {
  struct Config {
    std::string name;
    Runner* runner;
    bool merged;
    std::vector<double> ms, merge_ms;
  };
  std::vector<Config> configs;
  for (Runner* r : runners) {
    r->model->eval();
    configs.push_back({kind_name(r->kind), r, false, {}, {}});
    if (r->kind != Kind::Frozen) configs.push_back({std::string(kind_name(r->kind)) + "_merged", r, true, {}, {}});
  }
  auto forward = [&](Config& c) {
    torch::NoGradGuard no_grad;
    const auto t0 = Clock::now();
    std::optional<peft::MergedForEval> merged;
    if (c.merged) merged.emplace(*c.runner->model);
    const auto t1 = Clock::now();
    c.runner->model->forward(in);
    const double ms = ms_since(t1);
    merged.reset();
    return std::pair<double, double>{ms, ms_since(t0) - ms};
  };
  for (int w = 0; w < opt.warmup; ++w) {
    for (auto& c : configs) forward(c);
  }
  for (int i = 0; i < opt.repeats; ++i) {
    for (auto& c : configs) {
      const auto [ms, merge_ms] = forward(c);
      c.ms.push_back(ms);
      c.merge_ms.push_back(merge_ms);
    }
  }
  const double frozen = median(configs.front().ms);
  for (auto& c : configs) {
    const double m = median(c.ms);
    std::cout << "{\"bench\":\"eval_forward\",\"shape\":\"" << shape.name << "\",\"config\":\"" << c.name
              << "\",\"batch\":" << opt.batch << ",\"seq\":" << opt.seq << ",\"threads\":" << threads
              << ",\"repeats\":" << c.ms.size() << ",\"forward_ms_median\":" << fmt(m)
              << ",\"spread_pct\":" << fmt(100.0 * (max_of(c.ms) - min_of(c.ms)) / m)
              << ",\"over_frozen\":" << fmt(m / frozen);
    if (c.merged) std::cout << ",\"merge_and_restore_ms_median\":" << fmt(median(c.merge_ms));
    std::cout << "}" << std::endl;
  }
  for (Runner* r : runners) r->model->train();
}

// ---- one model shape ----------------------------------------------------------------------------
void time_shape(const ShapeDef& shape, const Options& opt, int threads,
                const std::map<Kind, Memory>& memory) {
  const auto config = io::Json::parse(shape.config);
  const int64_t N = opt.batch * opt.seq;
  const int64_t C = dims_of(config).hidden;
  const int64_t F = dims_of(config).intermediate;
  std::vector<Gemm> gemms;
  for (auto [k, m] : {std::pair<int64_t, int64_t>{C, F}, {F, C}, {C, C}}) {
    const auto on = torch::TensorOptions().device(parse_device(opt.device));
    gemms.push_back({N, k, m, torch::randn({N, k}, on), torch::randn({m, k}, on), torch::empty({N, m}, on), {}});
  }

  auto frozen = make_runner(Kind::Frozen, shape, opt);
  auto lora = make_runner(Kind::Lora, shape, opt);
  auto ada = make_runner(Kind::AdaLora, shape, opt);
  const auto in = make_inputs(shape, opt);

  struct Config {
    const char* name;
    Runner* runner;
    Phase phase;
    std::vector<double> ms;
  };
  std::vector<Config> configs = {{"frozen", &frozen, Phase::None, {}},
                                 {"lora", &lora, Phase::None, {}},
                                 {"adalora_warmup", &ada, Phase::Warmup, {}},
                                 {"adalora_budgeting", &ada, Phase::Budgeting, {}},
                                 {"adalora_final", &ada, Phase::Final, {}}};
  for (int w = 0; w < opt.warmup; ++w) {
    for (auto& g : gemms) sample_gemm(g);
    for (auto& c : configs) train_step(*c.runner, in, c.phase);
  }
  for (auto& g : gemms) g.gflops.clear();
  // Interleaved rounds: GEMM sample, then each configuration once.
  for (int i = 0; i < opt.repeats; ++i) {
    for (auto& g : gemms) sample_gemm(g);
    for (auto& c : configs) c.ms.push_back(train_step(*c.runner, in, c.phase));
  }

  if (!opt.profile_dir.empty()) {
    for (auto& c : configs) {
      torch::autograd::profiler::RecordProfile guard(opt.profile_dir + "/" + shape.name + "." + c.name + ".json");
      train_step(*c.runner, in, c.phase);
    }
  }

  const double flops = frozen_step_flops(config, opt.batch, opt.seq);
  std::map<std::string, double> med;
  for (auto& c : configs) {
    med[c.name] = median(c.ms);
    const Kind kind = c.runner->kind;
    const auto mem = memory.count(kind) ? memory.at(kind) : Memory{};
    std::cout << "{\"bench\":\"train_step\",\"shape\":\"" << shape.name << "\",\"config\":\"" << c.name
              << "\",\"batch\":" << opt.batch << ",\"seq\":" << opt.seq << ",\"threads\":" << threads
              << ",\"init_r\":" << (kind == Kind::Frozen ? 0 : opt.init_r)
              << ",\"trainable_params\":" << c.runner->trainable << ",\"repeats\":" << c.ms.size()
              << ",\"step_ms_median\":" << fmt(med[c.name]) << ",\"step_ms_min\":" << fmt(min_of(c.ms))
              << ",\"step_ms_max\":" << fmt(max_of(c.ms))
              << ",\"spread_pct\":" << fmt(100.0 * (max_of(c.ms) - min_of(c.ms)) / med[c.name])
              << ",\"device\":\"" << opt.device << "\",\"autocast\":\"" << (opt.autocast_bf16 ? "bf16" : "none")
              << "\",\"memory\":\"" << (g_cuda ? "cuda_allocated_peak" : "process_rss_peak") << "\""
              << ",\"peak_rss_mb\":" << fmt(mem.peak_kb / 1024.0)
              << ",\"model_rss_mb\":" << fmt(mem.model_kb / 1024.0) << "}" << std::endl;
  }
  // Paired ratios: per round (the configurations of one round ran back to back), then the median.
  auto paired = [&](size_t a, size_t b) {
    std::vector<double> r;
    for (size_t i = 0; i < configs[a].ms.size(); ++i) r.push_back(configs[a].ms[i] / configs[b].ms[i]);
    return median(r);
  };
  double gemm_peak = 0;
  std::ostringstream gemm_json;
  for (auto& g : gemms) {
    const double m = median(g.gflops);
    gemm_peak = std::max(gemm_peak, m);
    gemm_json << (gemm_json.tellp() > 0 ? "," : "") << "\"" << g.n << "x" << g.k << "x" << g.m
              << "\":" << fmt(m);
  }
  const double achieved = flops / (med["frozen"] * 1e-3) / 1e9;
  auto mem_ratio = [&](Kind a) {
    if (!memory.count(a) || !memory.count(Kind::Frozen) || memory.at(Kind::Frozen).peak_kb <= 0) return -1.0;
    return static_cast<double>(memory.at(a).peak_kb) / memory.at(Kind::Frozen).peak_kb;
  };
  std::cout << "{\"bench\":\"train_step_summary\",\"shape\":\"" << shape.name << "\",\"batch\":" << opt.batch
            << ",\"seq\":" << opt.seq << ",\"threads\":" << threads << ",\"blas\":\"" << to_string(blas_threading())
            << "\",\"repeats\":" << opt.repeats << ",\"adalora_over_lora\":{\"warmup\":" << fmt(med["adalora_warmup"] / med["lora"])
            << ",\"budgeting\":" << fmt(med["adalora_budgeting"] / med["lora"])
            << ",\"final\":" << fmt(med["adalora_final"] / med["lora"]) << "}"
            << ",\"lora_over_frozen\":" << fmt(med["lora"] / med["frozen"])
            << ",\"adalora_over_frozen\":" << fmt(med["adalora_budgeting"] / med["frozen"])
            << ",\"paired\":{\"adalora_budgeting_over_lora\":" << fmt(paired(3, 1))
            << ",\"lora_over_frozen\":" << fmt(paired(1, 0))
            << ",\"adalora_budgeting_over_frozen\":" << fmt(paired(3, 0)) << "}"
            << ",\"frozen_gflop\":" << fmt(flops / 1e9) << ",\"frozen_gflops_per_s\":" << fmt(achieved)
            << ",\"gemm_gflops_per_s\":{" << gemm_json.str() << "},\"gemm_peak_gflops_per_s\":" << fmt(gemm_peak)
            << ",\"peak_fraction\":" << fmt(achieved / gemm_peak)
            << ",\"peak_memory\":{\"lora_over_frozen\":" << fmt(mem_ratio(Kind::Lora))
            << ",\"adalora_over_frozen\":" << fmt(mem_ratio(Kind::AdaLora)) << "}}" << std::endl;
  if (opt.eval) time_eval(shape, opt, threads, {&frozen, &lora, &ada}, in);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<int64_t> split_int(const std::string& s) {
  std::vector<int64_t> out;
  for (const auto& item : split(s)) out.push_back(std::stoll(item));
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  bool quick = false;
  std::optional<int> warmup, repeats;
  std::optional<std::vector<std::string>> shapes;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "train_step_bench: " << a << " expects a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") quick = true;
    else if (a == "--shapes") shapes = split(value());
    else if (a == "--batch") o.batches = split_int(value());
    else if (a == "--seq") o.seqs = split_int(value());
    else if (a == "--eval") o.eval = true;
    else if (a == "--warmup") warmup = std::stoi(value());
    else if (a == "--repeats") repeats = std::stoi(value());
    else if (a == "--threads") o.threads = std::stoi(value());
    else if (a == "--no-memory") o.memory = false;
    else if (a == "--profile") o.profile_dir = value();
    else if (a == "--device") o.device = value();
    else if (a == "--autocast") {
      const std::string v = value();
      if (v != "none" && v != "bf16") {
        std::cerr << "train_step_bench: --autocast: expected none or bf16, got " << v << "\n";
        std::exit(2);
      }
      o.autocast_bf16 = v == "bf16";
    }
    else {
      std::cerr << "usage: train_step_bench [--quick] [--shapes small,bert-base,deberta-v3-base,llama-1b,gpt2-small,llama-160m] "
                   "[--batch 8[,16,…]] [--seq 128[,256,…]] [--warmup N] [--repeats N] [--threads N] [--no-memory] "
                   "[--profile DIR] [--eval] [--device cpu|cuda[:N]] [--autocast none|bf16]\n";
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  if (quick) {
    o.shapes = {"small", "bert-base"};
    o.warmup = 1;
    o.repeats = 3;
  }
  if (shapes) o.shapes = *shapes;
  if (warmup) o.warmup = *warmup;
  if (repeats) o.repeats = *repeats;
  for (const auto& s : o.shapes) find_shape(s);
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options opt = parse(argc, argv);
  const torch::Device device = parse_device(opt.device);  // Error (exit 2 below) without CUDA
  g_cuda = device.is_cuda();
  g_autocast_bf16 = opt.autocast_bf16;
  if (g_autocast_bf16 && !g_cuda) {
    std::cerr << "train_step_bench: --autocast bf16: expected --device cuda (CUDA autocast)\n";
    return 2;
  }
  if (g_cuda) {
    std::map<std::string, std::map<Kind, Memory>> memory;
    for (const auto& name : opt.shapes) {
      for (Kind k : {Kind::Frozen, Kind::Lora, Kind::AdaLora}) {
        if (opt.memory) memory[name][k] = measure_cuda_memory(k, find_shape(name), opt);
      }
    }
    for (const auto& name : opt.shapes) time_shape(find_shape(name), opt, 0, memory[name]);
    return 0;
  }
  // Memory first, each configuration in a fork()ed child, while this process has not yet started
  // LibTorch's OpenMP pool (forking after that leaves the child's pool unusable).
  // Every (shape, batch, seq) of the scaling table, smallest first.
  std::vector<std::pair<std::string, Options>> runs;
  for (const auto& name : opt.shapes) {
    for (int64_t b : opt.batches) {
      for (int64_t t : opt.seqs) {
        Options o = opt;
        o.batch = b;
        o.seq = t;
        runs.emplace_back(name, o);
      }
    }
  }
  std::vector<std::map<Kind, Memory>> memory(runs.size());
  if (opt.memory) {
    for (size_t i = 0; i < runs.size(); ++i) {
      for (Kind k : {Kind::Frozen, Kind::Lora, Kind::AdaLora}) {
        memory[i][k] = measure_memory(k, find_shape(runs[i].first), runs[i].second);
      }
    }
  }
  const int threads = configure_threads(opt.threads);
  for (size_t i = 0; i < runs.size(); ++i) time_shape(find_shape(runs[i].first), runs[i].second, threads, memory[i]);
  return 0;
} catch (const adalora::Error& e) {
  std::cerr << "train_step_bench: " << e.what() << "\n";
  return 2;
}
