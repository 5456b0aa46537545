// AdaLoRA's configuration: PEFT's AdaLoraConfig fields (names verbatim) plus the paper's ablation
// switches. Validation is stricter than PEFT's (reference §1, §11.5): every impossible schedule is
// rejected here with the field named, instead of failing later inside the allocator.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/peft/targets.h"

namespace adalora::peft {

/// How a triplet's importance is scored (paper §3.2 and the ablations of §4.4 / Table 5).
enum class ImportanceScore {
  SensitivityUncertainty,  ///< "ipt": Ī·Ū, eq. (8)–(11) — the paper's method and PEFT's
  Sensitivity,             ///< "sensitivity": Ī only (smoothed sensitivity, no uncertainty)
  Magnitude,               ///< "magnitude": |λ| of the triplet (eq. (7) replaced by |λᵢ|)
};

/// Form of the orthogonal regulariser R(P, Q).
enum class OrthRegForm {
  PeftMean,     ///< "peft": mean over all P and Q of ‖Gram − I‖_F (not squared) — PEFT and the original code
  PaperSquared, ///< "paper": Σ_k ‖PᵀP − I‖²_F + ‖QQᵀ − I‖²_F — eq. (4)
};

/// Rank pattern: "<module path>.lora_E" → one bool per triplet, true = kept (PEFT's format).
using RankPattern = std::map<std::string, std::vector<bool>>;

struct AdaLoraConfig {
  int64_t init_r = 12;            ///< initial rank of every adapted matrix; b(0) = init_r × n
  int64_t target_r = 8;           ///< target average rank; b(T) = target_r × n
  int64_t tinit = 0;              ///< warm-up steps with the full budget (steps ≤ tinit)
  int64_t tfinal = 0;             ///< length of the final phase with the pattern fixed
  int64_t deltaT = 1;             ///< masking interval in the budgeting phase (on the absolute step)
  double beta1 = 0.85;            ///< EMA of sensitivity, eq. (8)
  double beta2 = 0.85;            ///< EMA of uncertainty, eq. (9)
  double orth_reg_weight = 0.5;   ///< γ of eq. (4)
  int64_t total_step = 0;         ///< T: the number of optimizer steps (after accumulation)
  double lora_alpha = 8;          ///< scaling = lora_alpha / (init_r + 1e-5); ≤ 0 → scaling = r
  double lora_dropout = 0.0;      ///< dropout on the adapter input
  bool fan_in_fan_out = false;    ///< base weights stored [in, out] (GPT-2 Conv1D)
  bool init_lora_weights = true;  ///< E = 0, A, B ~ N(0, 0.02²); false: all N(0, 1)
  TargetSpec targets;             ///< which linear layers get an adapter (`target_modules`)
  /// Modules trained in full and saved with the adapter (PEFT `modules_to_save`, e.g. the
  /// classifier head); suffix match on module paths.
  std::vector<std::string> modules_to_save;
  RankPattern rank_pattern;       ///< written by training; empty until the first mask
  /// PEFT's task_type ("SEQ_CLS", "CAUSAL_LM", …; "" = null) and base_model_name_or_path ("" =
  /// null): what AutoPeftModelFor* reads to rebuild the model; carried, not used here.
  std::string task_type;
  std::string base_model_name_or_path;
  ImportanceScore score = ImportanceScore::SensitivityUncertainty;
  OrthRegForm orth_reg_form = OrthRegForm::PeftMean;
  /// false: SVD-LoRA (paper Table 5) — the same P·Λ·Q layer and regulariser, but no importance
  /// update and no budget allocation: every matrix keeps init_r for the whole run (target_r,
  /// tinit, tfinal, deltaT are not used). Saved as "adalora_budget_allocation": false.
  bool budget_allocation = true;

  /// Throws Error naming the field when the configuration cannot work: target_r ≥ init_r,
  /// deltaT < 1, tinit + tfinal ≥ total_step (no budgeting phase), β outside (0, 1), γ < 0,
  /// negative dropout or ≥ 1, no targets.
  void validate() const;
  /// The same with `where` (e.g. a file name) starting each message.
  void validate(const std::string& where) const;

  /// adapter_config.json as PEFT writes it for AdaLoRA (every LoraConfig field PEFT saves).
  io::Json to_peft_json() const;
  /// Reads an AdaLoRA adapter_config.json; `source` names the file in errors.
  static AdaLoraConfig from_peft_json(const io::Json& json, const std::string& source);
};

const char* to_string(ImportanceScore score);
ImportanceScore importance_score_from_string(const std::string& name);
const char* to_string(OrthRegForm form);
OrthRegForm orth_reg_form_from_string(const std::string& name);

}  // namespace adalora::peft
