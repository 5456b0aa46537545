// The planted-rank benchmark (issue #6): does AdaLoRA's importance score put its rank budget where
// the signal is? A random-initialised BERT encoder is the base; the teacher is the same base with
// known low-rank updates ΔW = U·diag(s)·Vᵀ added to chosen weight matrices; the student (base +
// adapter) is trained to match the teacher's last hidden state on random token inputs. With the
// AdaLoRA budget b(T) equal to the planted total rank, the ideal allocation is the plant itself, so
// the allocated rank per matrix can be compared with the planted one (Spearman, share of budget on
// planted matrices), and the final distillation loss with LoRA's at the same total rank.
//
// Nothing here is from the paper's experiments (they use GLUE/SQuAD/XSum); the scores compared are
// the paper's Ī·Ū (eq. (8)–(11)) and its Table 5 ablations (sensitivity only, |λ|). Not a training
// API: the loop is a minimal one (AdamW, linear schedule, clipping), everything seeded, CPU only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adalora::experiments {

/// One planted update: `rank` orthonormal directions added to the weight of module `name`.
struct PlantedMatrix {
  std::string name;  ///< module path, e.g. "encoder.layer.3.intermediate.dense"
  int64_t rank = 0;
};

/// The default plant for 4 layers: rank 6 in three FFN matrices of the top two layers, rank 2 in
/// two attention matrices, rank 1 in two more, 0 in the other 17 — 24 in total, which is the
/// AdaLoRA budget b(T) = target_r × 24 matrices at target_r = 1.
std::vector<PlantedMatrix> default_plant();

struct PlantedRankConfig {
  // The base: a random BERT encoder (HF BertModel, no task head). Dropout is off.
  int64_t hidden_size = 64;
  int64_t num_hidden_layers = 4;
  int64_t num_attention_heads = 4;
  int64_t intermediate_size = 256;
  int64_t vocab_size = 256;
  /// Init std of every weight. Larger than BERT's 0.02 on purpose: at 0.02 a random encoder is
  /// almost the identity on its residual stream (each block adds a few percent), so a plant in the
  /// FFN barely moves the output and gets almost no gradient; at 0.1 every block matters, as in a
  /// trained model (measured: docs/planted_rank.md).
  double initializer_range = 0.1;

  // The inputs: uniform random token ids, a fresh batch per step and one fixed held-out batch.
  int64_t seq_length = 32;
  int64_t batch_size = 32;
  int64_t eval_batch_size = 64;

  // The teacher: every planted singular value is plant_scale · ‖W‖₂ of the weight it is added to.
  std::vector<PlantedMatrix> plant = default_plant();
  double plant_scale = 1.0;

  // The student's adapters (PEFT names; suffix match on module paths).
  std::vector<std::string> target_modules = {
      "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"};
  int64_t init_r = 8;             ///< AdaLoRA's starting rank per matrix
  int64_t target_r = 1;           ///< AdaLoRA's final average rank; LoRA's r
  std::optional<int64_t> tinit;   ///< unset: steps / 10
  std::optional<int64_t> tfinal;  ///< unset: steps / 4
  int64_t deltaT = 10;
  double beta1 = 0.85;
  double beta2 = 0.85;
  double orth_reg_weight = 0.1;
  double lora_alpha = 8;  ///< both methods, as PEFT users set it

  // Optimisation: AdamW (no weight decay), linear warm-up and decay, clipping.
  int64_t steps = 300;
  double learning_rate = 2e-2;  ///< 5e-2 makes LoRA diverge; 5e-3 leaves both far from converged
  double warmup_ratio = 0.05;
  double max_grad_norm = 1.0;
  uint64_t seed = 42;  ///< base, plant, adapter init and data all derive from it

  /// tinit / tfinal with the defaults resolved against `steps`.
  int64_t resolved_tinit() const;
  int64_t resolved_tfinal() const;

  /// Throws Error naming the field for impossible values (sizes ≤ 0, negative ranks, …).
  void validate() const;
};

/// Per adapted matrix: what was planted and what the method kept.
struct MatrixAllocation {
  std::string name;  ///< module path
  int64_t planted_rank = 0;
  int64_t allocated_rank = 0;
};

struct PlantedRankResult {
  std::string variant;                     ///< one of planted_rank_variants()
  std::vector<MatrixAllocation> matrices;  ///< in module order
  int64_t planted_total = 0;               ///< Σ planted ranks
  int64_t allocated_total = 0;  ///< Σ allocated ranks (AdaLoRA: b(T) unless ties were pruned)
  double spearman = 0;  ///< Spearman's ρ between planted and allocated ranks (0 if constant)
  double share_on_planted = 0;  ///< Σ allocated on planted matrices / Σ allocated
  double initial_loss = 0;      ///< held-out MSE, student = base (adapters start at ΔW = 0)
  double final_loss = 0;        ///< held-out MSE after training
  double wall_seconds = 0;      ///< the whole run: building, planting, training, evaluation
};

/// Steps of the bench's and the CLI's --quick: the allocation already shows, the losses are not
/// final (measured: docs/planted_rank.md).
inline constexpr int64_t kQuickSteps = 120;

/// The variants in the order the bench and the CLI run them: the paper's score ("ipt"), its Table 5
/// ablations ("sensitivity", "magnitude": other scores; "no_orth": γ = 0), Table 4's "pruned_lora"
/// (init_r LoRA doublets pruned by ipt to the same b(t)), Table 5's fixed-rank "svd_lora" and
/// "lora_regu" (r = target_r, with the regulariser), then "lora" (r = target_r).
const std::vector<std::string>& planted_rank_variants();

/// "ipt, sensitivity, …": the variants for error messages.
std::string planted_rank_variant_list();

/// Runs one variant of planted_rank_variants(); the fixed-rank ones (LoRA, SVD-LoRA, LoRA-regu) use
/// r = target_r on the same matrices: the same total rank as AdaLoRA's final budget. Same config and thread
/// count → the same numbers bit for bit. Reseeds LibTorch's global generator (model and adapter
/// initialisation draw from it). Throws Error naming the field for a bad config or plant.
PlantedRankResult run_planted_rank(const PlantedRankConfig& config, const std::string& variant);

/// Spearman's ρ between the planted and allocated ranks (ties get average ranks).
double allocation_spearman(const std::vector<MatrixAllocation>& matrices);

/// Σ allocated rank on matrices with a planted rank > 0, over Σ allocated rank (0 when nothing is
/// allocated).
double share_on_planted(const std::vector<MatrixAllocation>& matrices);

}  // namespace adalora::experiments
