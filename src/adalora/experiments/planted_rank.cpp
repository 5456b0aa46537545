// The planted-rank benchmark (see planted_rank.h).
#include "adalora/experiments/planted_rank.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "adalora/core/error.h"
#include "adalora/core/strings.h"
#include "adalora/metrics/correlation.h"
#include "adalora/models/model.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/peft/registry.h"
#include "adalora/peft/targets.h"
#include "adalora/train/lr_schedule.h"
#include "adalora/train/optimizer.h"

namespace adalora::experiments {
namespace {

// Legend: B = batch, T = sequence length, H = hidden size, r = planted rank.

// Every random stream derives from config.seed with its own offset, so changing one part (e.g. the
// number of steps, which changes how much training data is drawn) leaves the others unchanged.
constexpr uint64_t kPlantStream = 1;
constexpr uint64_t kAdapterStream = 2;
constexpr uint64_t kTrainDataStream = 3;
constexpr uint64_t kEvalDataStream = 4;

constexpr const char* kWhere = "planted-rank";

io::Json base_config_json(const PlantedRankConfig& c) {
  return {{"model_type", "bert"},
          {"vocab_size", c.vocab_size},
          {"hidden_size", c.hidden_size},
          {"num_hidden_layers", c.num_hidden_layers},
          {"num_attention_heads", c.num_attention_heads},
          {"intermediate_size", c.intermediate_size},
          {"max_position_embeddings", c.seq_length},
          {"type_vocab_size", 2},
          {"hidden_act", "gelu"},
          {"layer_norm_eps", 1e-12},
          {"initializer_range", c.initializer_range},
          // Teacher and student must be deterministic functions of the input.
          {"hidden_dropout_prob", 0.0},
          {"attention_probs_dropout_prob", 0.0}};
}

// The same random base every call (teacher and student are two copies of it).
models::ModelPtr build_base(const PlantedRankConfig& c) {
  torch::manual_seed(c.seed);
  auto model = models::build_model(io::HfConfig(base_config_json(c), "planted-rank base config"),
                                   models::TaskHead::None);
  model->eval();
  return model;
}

// Module paths of the adapted matrices, in module order (the order AdaLoRA and LoRA attach in).
std::vector<std::string> adapted_matrices(models::Model& model, const PlantedRankConfig& c) {
  peft::TargetSpec spec;
  spec.names = c.target_modules;
  std::vector<std::string> names;
  for (const auto& [name, layer] : peft::find_targets(model, spec)) names.push_back(name);
  return names;
}

void check_plant(const PlantedRankConfig& c, const std::vector<std::string>& adapted) {
  const std::set<std::string> known(adapted.begin(), adapted.end());
  std::set<std::string> seen;
  for (const auto& p : c.plant) {
    ADALORA_CHECK(known.count(p.name), kWhere, ": plant: \"", p.name,
                  "\": expected an adapted matrix (e.g. \"", adapted.front(), "\"), got none of ",
                  adapted.size(), " adapted matrices");
    ADALORA_CHECK(seen.insert(p.name).second, kWhere, ": plant: \"", p.name,
                  "\": expected each matrix once, got it twice");
  }
}

// U [n, r] with orthonormal columns: the Q of a Gaussian matrix.
torch::Tensor random_orthonormal(int64_t n, int64_t r, at::Generator& gen) {
  return std::get<0>(torch::linalg_qr(torch::randn({n, r}, gen, torch::kFloat32), "reduced"));
}

// Adds ΔW = s·U·Vᵀ to every planted weight [out, in]. All r singular values are equal (s =
// plant_scale · ‖W‖₂), so the planted rank is unambiguous: every direction matters as much.
void plant(models::Model& teacher, const PlantedRankConfig& c) {
  at::Generator gen = at::detail::createCPUGenerator(c.seed + kPlantStream);
  torch::NoGradGuard no_grad;
  auto params = teacher.named_parameters(/*recurse=*/true);
  for (const auto& p : c.plant) {
    if (p.rank == 0) continue;
    torch::Tensor w = params[p.name + ".weight"];  // [out, in]
    const int64_t out = w.size(0), in = w.size(1);
    ADALORA_CHECK(p.rank <= std::min(out, in), kWhere, ": plant: \"", p.name,
                  "\": rank: expected ≤ min(out, in) = ", std::min(out, in), ", got ", p.rank);
    const torch::Tensor u = random_orthonormal(out, p.rank, gen);  // [out, r]
    const torch::Tensor v = random_orthonormal(in, p.rank, gen);   // [in, r]
    const double s = c.plant_scale * torch::linalg_svdvals(w).max().item<double>();
    w.add_(torch::matmul(u, v.t()) * s);
  }
}

// The registry method each variant builds.
std::string method_of(const std::string& variant) {
  if (variant == "lora" || variant == "pruned_lora" || variant == "svd_lora" ||
      variant == "lora_regu") {
    return variant;
  }
  return "adalora";  // ipt, sensitivity, magnitude, no_orth
}

io::Json method_config(const PlantedRankConfig& c, const std::string& variant) {
  io::Json j = {{"lora_alpha", c.lora_alpha}, {"target_modules", c.target_modules}};
  if (variant == "lora" || variant == "svd_lora" || variant == "lora_regu") {
    j["r"] = c.target_r;  // a fixed rank everywhere: the same total as AdaLoRA's final budget
    if (variant != "lora") j["orth_reg_weight"] = c.orth_reg_weight;
    return j;
  }
  j.update({{"target_r", c.target_r},
            {"tinit", c.resolved_tinit()},
            {"tfinal", c.resolved_tfinal()},
            {"deltaT", c.deltaT},
            {"beta1", c.beta1},
            {"beta2", c.beta2}});
  if (variant == "pruned_lora") {  // Table 4: init_r LoRA doublets pruned to the same b(t)
    j["r"] = c.init_r;
    return j;
  }
  const bool no_orth = variant == "no_orth";  // Table 5: AdaLoRA without the regulariser (γ = 0)
  j["init_r"] = c.init_r;
  j["orth_reg_weight"] = no_orth ? 0.0 : c.orth_reg_weight;
  j["importance_score"] = no_orth ? "ipt" : variant;
  return j;
}

torch::Tensor random_ids(const PlantedRankConfig& c, int64_t batch, at::Generator& gen) {
  return torch::randint(c.vocab_size, {batch, c.seq_length}, gen, torch::kLong);  // [B, T]
}

torch::Tensor last_hidden_state(models::Model& model, const torch::Tensor& ids) {
  models::ModelInputs inputs;
  inputs.input_ids = ids;  // no padding: the attention mask defaults to all ones
  return model.forward(inputs).last_hidden_state;  // [B, T, H]
}

double held_out_loss(models::Model& student, const torch::Tensor& ids,
                     const torch::Tensor& target) {
  torch::NoGradGuard no_grad;
  return torch::mse_loss(last_hidden_state(student, ids), target).item<double>();
}

// AdamW on the adapters with a linear schedule and clipping; the method's hook after each step.
void train_student(models::Model& student, models::Model& teacher, peft::Method& method,
                   const PlantedRankConfig& c) {
  train::AdamWConfig adamw;
  adamw.learning_rate = c.learning_rate;
  adamw.weight_decay = 0.0;  // decay would pull the adapters back towards the base
  auto optimizer = train::build_adamw(student, adamw);
  const train::LinearSchedule schedule(
      c.learning_rate, train::resolve_warmup_steps(0, c.warmup_ratio, c.steps), c.steps);
  std::vector<torch::Tensor> trainable;
  for (const auto& [name, t] : method.trainable()) trainable.push_back(t);
  at::Generator gen = at::detail::createCPUGenerator(c.seed + kTrainDataStream);
  for (int64_t step = 0; step < c.steps; ++step) {
    const torch::Tensor ids = random_ids(c, c.batch_size, gen);  // [B, T]
    torch::Tensor target;                                        // [B, T, H]
    {
      torch::NoGradGuard no_grad;
      target = last_hidden_state(teacher, ids);
    }
    const torch::Tensor loss =
        method.add_regularizer(torch::mse_loss(last_hidden_state(student, ids), target));
    loss.backward();
    torch::nn::utils::clip_grad_norm_(trainable, c.max_grad_norm);
    train::set_learning_rate(*optimizer, schedule.lr(step));
    optimizer->step();
    method.after_optimizer_step(step);  // AdaLoRA: importance EMAs, budget mask
    optimizer->zero_grad();
  }
}

std::map<std::string, int64_t> allocated_ranks(peft::Method& method, const PlantedRankConfig& c,
                                               const std::vector<std::string>& adapted) {
  std::map<std::string, int64_t> ranks;
  if (auto* adalora = peft::as_adalora(method)) {
    for (const auto& m : adalora->allocator().ranks()) ranks[m.name] = m.rank;
    return ranks;
  }
  // Pruned LoRA: the doublets its "<path>.keep" mask keeps (no mask yet: all init_r of them).
  // Every other variant: a fixed r = target_r everywhere.
  const bool pruned = std::string(method.name()) == "pruned_lora";
  for (const auto& name : adapted) ranks[name] = pruned ? c.init_r : c.target_r;
  if (pruned) {
    for (const auto& [key, keep] : method.state_tensors()) {
      const std::string_view suffix = ".keep";
      if (!ends_with(key, suffix)) continue;
      ranks[key.substr(0, key.size() - suffix.size())] = keep.gt(0.5).sum().item<int64_t>();
    }
  }
  return ranks;
}

}  // namespace

std::vector<PlantedMatrix> default_plant() {
  const auto layer = [](int i, const std::string& module) {
    return str_cat("encoder.layer.", i, ".", module);
  };
  // clang-format off
  return {
      {layer(3, "intermediate.dense"), 6},  // FFN of the top two layers: the big updates
      {layer(3, "output.dense"), 6},
      {layer(2, "intermediate.dense"), 6},
      {layer(1, "attention.self.value"), 2},  // attention: small ones
      {layer(3, "attention.output.dense"), 2},
      {layer(0, "attention.self.query"), 1},  // rank 1: the hardest to tell from noise
      {layer(1, "intermediate.dense"), 1},
  };
  // clang-format on
}

int64_t PlantedRankConfig::resolved_tinit() const { return tinit ? *tinit : steps / 10; }
int64_t PlantedRankConfig::resolved_tfinal() const { return tfinal ? *tfinal : steps / 4; }

void PlantedRankConfig::validate() const {
  for (const auto& [field, value] :
       std::vector<std::pair<const char*, int64_t>>{{"hidden_size", hidden_size},
                                                    {"num_hidden_layers", num_hidden_layers},
                                                    {"num_attention_heads", num_attention_heads},
                                                    {"intermediate_size", intermediate_size},
                                                    {"vocab_size", vocab_size},
                                                    {"seq_length", seq_length},
                                                    {"batch_size", batch_size},
                                                    {"eval_batch_size", eval_batch_size},
                                                    {"steps", steps}}) {
    ADALORA_CHECK(value > 0, kWhere, ": ", field, ": expected > 0, got ", value);
  }
  ADALORA_CHECK(hidden_size % num_attention_heads == 0, kWhere,
                ": num_attention_heads: expected a divisor of hidden_size=", hidden_size, ", got ",
                num_attention_heads);
  ADALORA_CHECK(initializer_range > 0, kWhere, ": initializer_range: expected > 0, got ",
                initializer_range);
  ADALORA_CHECK(plant_scale >= 0, kWhere, ": plant_scale: expected ≥ 0, got ", plant_scale);
  ADALORA_CHECK(learning_rate > 0, kWhere, ": learning_rate: expected > 0, got ", learning_rate);
  ADALORA_CHECK(max_grad_norm > 0, kWhere, ": max_grad_norm: expected > 0, got ", max_grad_norm);
  ADALORA_CHECK(target_r >= 1, kWhere, ": target_r: expected ≥ 1 (LoRA's r), got ", target_r);
  ADALORA_CHECK(!target_modules.empty(), kWhere,
                ": target_modules: expected at least one, got none");
  for (const auto& p : plant) {
    ADALORA_CHECK(p.rank >= 0, kWhere, ": plant: \"", p.name, "\": rank: expected ≥ 0, got ",
                  p.rank);
  }
  // The AdaLoRA schedule (target_r < init_r, tinit + tfinal < steps, deltaT ≥ 1) is validated by
  // AdaLoraConfig when the method is built, with PEFT's field names.
}

std::string planted_rank_variant_list() {
  std::string s;
  for (const auto& v : planted_rank_variants()) s += (s.empty() ? "" : ", ") + v;
  return s;
}

const std::vector<std::string>& planted_rank_variants() {
  static const std::vector<std::string> names = {"ipt",         "sensitivity", "magnitude",
                                                  "no_orth",     "pruned_lora", "svd_lora",
                                                  "lora_regu",   "lora"};
  return names;
}

PlantedRankResult run_planted_rank(const PlantedRankConfig& config, const std::string& variant) {
  const auto& variants = planted_rank_variants();
  ADALORA_CHECK(std::find(variants.begin(), variants.end(), variant) != variants.end(), kWhere,
                ": variant: expected one of ", planted_rank_variant_list(), ", got \"", variant, "\"");
  config.validate();
  const auto start = std::chrono::steady_clock::now();

  models::ModelPtr teacher = build_base(config);
  const std::vector<std::string> adapted = adapted_matrices(*teacher, config);
  check_plant(config, adapted);
  plant(*teacher, config);
  for (auto& p : teacher->parameters()) p.set_requires_grad(false);

  models::ModelPtr student = build_base(config);
  torch::manual_seed(config.seed + kAdapterStream);  // adapters draw their init from the global RNG
  peft::MethodPtr method = peft::make_method(method_of(variant), *student,
                                             method_config(config, variant), config.steps);

  at::Generator eval_gen = at::detail::createCPUGenerator(config.seed + kEvalDataStream);
  const torch::Tensor eval_ids = random_ids(config, config.eval_batch_size, eval_gen);  // [B, T]
  torch::Tensor eval_target;                                                            // [B, T, H]
  {
    torch::NoGradGuard no_grad;
    eval_target = last_hidden_state(*teacher, eval_ids);
  }

  PlantedRankResult r;
  r.variant = variant;
  r.initial_loss = held_out_loss(*student, eval_ids, eval_target);
  train_student(*student, *teacher, *method, config);
  r.final_loss = held_out_loss(*student, eval_ids, eval_target);
  ADALORA_CHECK(std::isfinite(r.final_loss), kWhere, ": ", variant,
                ": final loss: expected a finite number, got ", r.final_loss,
                " (hint: lower the learning rate)");

  std::map<std::string, int64_t> planted;
  for (const auto& p : config.plant) planted[p.name] = p.rank;
  const std::map<std::string, int64_t> allocated = allocated_ranks(*method, config, adapted);
  for (const auto& name : adapted) {
    const int64_t planted_rank = planted.count(name) ? planted.at(name) : 0;
    r.matrices.push_back({name, planted_rank, allocated.at(name)});
    r.planted_total += planted_rank;
    r.allocated_total += allocated.at(name);
  }
  r.spearman = allocation_spearman(r.matrices);
  r.share_on_planted = share_on_planted(r.matrices);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

double allocation_spearman(const std::vector<MatrixAllocation>& matrices) {
  std::vector<double> planted, allocated;
  for (const auto& m : matrices) {
    planted.push_back(static_cast<double>(m.planted_rank));
    allocated.push_back(static_cast<double>(m.allocated_rank));
  }
  return metrics::spearman(allocated, planted);
}

double share_on_planted(const std::vector<MatrixAllocation>& matrices) {
  int64_t on_planted = 0, total = 0;
  for (const auto& m : matrices) {
    total += m.allocated_rank;
    if (m.planted_rank > 0) on_planted += m.allocated_rank;
  }
  return total > 0 ? static_cast<double>(on_planted) / static_cast<double>(total) : 0.0;
}

}  // namespace adalora::experiments
