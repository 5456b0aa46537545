#include "adalora/peft/adalora/config.h"

#include "adalora/core/error.h"

namespace adalora::peft {
namespace {

io::Json null_if_empty(const std::string& s) { return s.empty() ? io::Json(nullptr) : io::Json(s); }

}  // namespace

namespace {

void validate_schedule(const AdaLoraConfig& c, const std::string& where);

// AdaLoraConfig::validate with `where` starting each message (the file, when read from one).
void validate_as(const AdaLoraConfig& c, const std::string& where) {
  ADALORA_CHECK(c.init_r >= 1, where, ": init_r: expected ≥ 1, got ", c.init_r);
  if (c.budget_allocation) validate_schedule(c, where);
  ADALORA_CHECK(c.orth_reg_weight >= 0, where, ": orth_reg_weight: expected ≥ 0, got ", c.orth_reg_weight);
  ADALORA_CHECK(c.lora_dropout >= 0 && c.lora_dropout < 1, where,
                ": lora_dropout: expected a value in [0, 1), got ", c.lora_dropout);
  ADALORA_CHECK(c.targets.regex || !c.targets.names.empty(), where,
                ": target_modules: expected at least one module name or a regex, got none");
}

// The budget schedule's fields (only read when the budget is allocated).
void validate_schedule(const AdaLoraConfig& c, const std::string& where) {
  ADALORA_CHECK(c.target_r >= 0, where, ": target_r: expected ≥ 0, got ", c.target_r);
  ADALORA_CHECK(c.target_r < c.init_r, where, ": target_r: expected < init_r = ", c.init_r, ", got ",
                c.target_r, " (the budget must shrink; PEFT fails later inside kthvalue)");
  ADALORA_CHECK(c.total_step > 0, where, ": total_step: expected > 0 optimizer steps, got ", c.total_step);
  ADALORA_CHECK(c.tinit >= 0, where, ": tinit: expected ≥ 0, got ", c.tinit);
  ADALORA_CHECK(c.tfinal >= 0, where, ": tfinal: expected ≥ 0, got ", c.tfinal);
  ADALORA_CHECK(c.tinit < c.total_step - c.tfinal, where,
                ": tinit/tfinal: expected tinit + tfinal < total_step so that a budgeting phase "
                "exists, got tinit=", c.tinit, ", tfinal=", c.tfinal, ", total_step=", c.total_step);
  ADALORA_CHECK(c.deltaT >= 1, where, ": deltaT: expected ≥ 1, got ", c.deltaT);
  ADALORA_CHECK(c.beta1 > 0 && c.beta1 < 1, where, ": beta1: expected a value in (0, 1), got ", c.beta1);
  ADALORA_CHECK(c.beta2 > 0 && c.beta2 < 1, where, ": beta2: expected a value in (0, 1), got ", c.beta2);
}

}  // namespace

void AdaLoraConfig::validate() const { validate_as(*this, "adalora config"); }
void AdaLoraConfig::validate(const std::string& where) const { validate_as(*this, where); }

const char* to_string(ImportanceScore score) {
  switch (score) {
    case ImportanceScore::SensitivityUncertainty: return "ipt";
    case ImportanceScore::Sensitivity: return "sensitivity";
    case ImportanceScore::Magnitude: return "magnitude";
  }
  return "?";
}

ImportanceScore importance_score_from_string(const std::string& name) {
  if (name == "ipt") return ImportanceScore::SensitivityUncertainty;
  if (name == "sensitivity") return ImportanceScore::Sensitivity;
  if (name == "magnitude") return ImportanceScore::Magnitude;
  throw Error(str_cat("importance_score: expected one of ipt, sensitivity, magnitude, got \"", name, "\""));
}

const char* to_string(OrthRegForm form) {
  return form == OrthRegForm::PeftMean ? "peft" : "paper";
}

OrthRegForm orth_reg_form_from_string(const std::string& name) {
  if (name == "peft") return OrthRegForm::PeftMean;
  if (name == "paper") return OrthRegForm::PaperSquared;
  throw Error(str_cat("orth_reg_form: expected one of peft, paper, got \"", name, "\""));
}

io::Json AdaLoraConfig::to_peft_json() const {
  io::Json j = io::Json::object();
  // Every field PEFT writes for AdaLoRA (see shared/golden/adalora/saved_adapter_*), so that PEFT's
  // from_pretrained accepts the file; values we do not use keep PEFT's defaults.
  j["alpha_pattern"] = io::Json::object();
  j["auto_mapping"] = nullptr;
  j["base_model_name_or_path"] = null_if_empty(base_model_name_or_path);
  j["beta1"] = beta1;
  j["beta2"] = beta2;
  j["bias"] = "none";
  j["deltaT"] = deltaT;
  j["fan_in_fan_out"] = fan_in_fan_out;
  j["inference_mode"] = true;
  j["init_lora_weights"] = init_lora_weights;
  j["init_r"] = init_r;
  j["layer_replication"] = nullptr;
  j["loftq_config"] = io::Json::object();
  j["lora_alpha"] = lora_alpha;
  j["lora_bias"] = false;
  j["lora_dropout"] = lora_dropout;
  j["megatron_config"] = nullptr;
  j["megatron_core"] = "megatron.core";
  j["modules_to_save"] = modules_to_save.empty() ? io::Json(nullptr) : io::Json(modules_to_save);
  j["orth_reg_weight"] = orth_reg_weight;
  j["peft_type"] = "ADALORA";
  j["r"] = 8;  // ignored by AdaLoRA; PEFT writes its default
  if (rank_pattern.empty()) {
    j["rank_pattern"] = nullptr;
  } else {
    io::Json rp = io::Json::object();
    for (const auto& [name, bits] : rank_pattern) rp[name] = bits;
    j["rank_pattern"] = rp;
  }
  j["revision"] = nullptr;
  write_target_spec(targets, &j);
  j["target_r"] = target_r;
  j["task_type"] = null_if_empty(task_type);
  j["tfinal"] = tfinal;
  j["tinit"] = tinit;
  j["total_step"] = total_step;
  j["use_dora"] = false;
  j["use_rslora"] = false;
  // Our own extensions (PEFT ignores unknown keys only in recent versions, so they are written
  // only when they differ from PEFT's behaviour).
  if (score != ImportanceScore::SensitivityUncertainty) j["adalora_importance_score"] = to_string(score);
  if (orth_reg_form != OrthRegForm::PeftMean) j["adalora_orth_reg_form"] = to_string(orth_reg_form);
  if (!budget_allocation) j["adalora_budget_allocation"] = false;
  return j;
}

AdaLoraConfig AdaLoraConfig::from_peft_json(const io::Json& json, const std::string& source) {
  io::JsonObject o(json, source);
  const std::string type = o.get<std::string>("peft_type");
  ADALORA_CHECK(type == "ADALORA", source, ": peft_type: expected \"ADALORA\", got \"", type, "\"");
  AdaLoraConfig c;
  c.init_r = o.get_or<int64_t>("init_r", c.init_r);
  c.target_r = o.get_or<int64_t>("target_r", c.target_r);
  c.tinit = o.get_or<int64_t>("tinit", c.tinit);
  c.tfinal = o.get_or<int64_t>("tfinal", c.tfinal);
  c.deltaT = o.get_or<int64_t>("deltaT", c.deltaT);
  c.beta1 = o.get_or<double>("beta1", c.beta1);
  c.beta2 = o.get_or<double>("beta2", c.beta2);
  c.orth_reg_weight = o.get_or<double>("orth_reg_weight", c.orth_reg_weight);
  c.total_step = o.get_or<int64_t>("total_step", c.total_step);
  c.lora_alpha = o.get_or<double>("lora_alpha", c.lora_alpha);
  c.lora_dropout = o.get_or<double>("lora_dropout", c.lora_dropout);
  c.fan_in_fan_out = o.get_or<bool>("fan_in_fan_out", c.fan_in_fan_out);
  if (o.has("init_lora_weights") && o.raw("init_lora_weights").is_boolean()) {
    c.init_lora_weights = o.get<bool>("init_lora_weights");
  }
  ADALORA_CHECK(!o.get_or<bool>("use_dora", false), source, ": use_dora: AdaLoRA does not support DoRA");
  c.targets = target_spec_from_peft_json(o);
  c.task_type = o.get_optional<std::string>("task_type").value_or("");
  c.base_model_name_or_path = o.get_optional<std::string>("base_model_name_or_path").value_or("");
  if (o.has("modules_to_save") && !o.is_null("modules_to_save")) {
    c.modules_to_save = o.get<std::vector<std::string>>("modules_to_save");
  }
  if (o.has("rank_pattern") && !o.is_null("rank_pattern")) {
    io::JsonObject rp = o.object("rank_pattern");
    for (const auto& [name, bits] : rp.json().items()) {
      c.rank_pattern[name] = rp.get<std::vector<bool>>(name);
      ADALORA_CHECK(static_cast<int64_t>(c.rank_pattern[name].size()) == c.init_r, source,
                    ": rank_pattern: \"", name, "\": expected init_r = ", c.init_r, " entries, got ",
                    c.rank_pattern[name].size());
    }
  }
  if (o.has("adalora_importance_score")) {
    c.score = importance_score_from_string(o.get<std::string>("adalora_importance_score"));
  }
  if (o.has("adalora_orth_reg_form")) {
    c.orth_reg_form = orth_reg_form_from_string(o.get<std::string>("adalora_orth_reg_form"));
  }
  c.budget_allocation = o.get_or<bool>("adalora_budget_allocation", true);
  validate_as(c, source);  // errors name the file, not just the field
  return c;
}

}  // namespace adalora::peft
