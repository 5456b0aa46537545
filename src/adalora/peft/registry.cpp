#include "adalora/peft/registry.h"

#include <cctype>
#include <set>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/adalora_method.h"
#include "adalora/peft/bitfit.h"
#include "adalora/peft/bottleneck_adapter.h"
#include "adalora/peft/full_finetune.h"
#include "adalora/peft/lora.h"
#include "adalora/peft/lora_regu.h"
#include "adalora/peft/pruned_lora.h"
#include "adalora/peft/selected_parameters.h"
#include "adalora/peft/svd_lora.h"

namespace adalora::peft {
namespace {

using Keys = std::vector<ConfigKey>;

// Key groups several methods share (PEFT's names; the help text is the first row's).
const Keys kTargetKeys = {
    {"target_modules", KeyType::Strings, "Module-path suffixes to adapt, or all-linear"},
    {"exclude_modules", KeyType::Strings, "Module-path suffixes never adapted"},
    {"layers_to_transform", KeyType::Ints, "Only these layer indices (PEFT layers_to_transform)"},
    {"layers_pattern", KeyType::Strings, "Module-list names carrying the layer index (PEFT layers_pattern)"}};
const Keys kLoraKeys = {
    {"r", KeyType::Int, "LoRA rank per matrix (pruned LoRA: initial rank; SVD-LoRA: rank)"},
    {"lora_alpha", KeyType::Double, "Scaling numerator α"},
    {"lora_dropout", KeyType::Double, "Dropout on the adapter input"}};
const Keys kScheduleKeys = {
    {"target_r", KeyType::Int, "AdaLoRA / pruned LoRA target average rank"},
    {"tinit", KeyType::Int, "Warm-up steps with the full budget"},
    {"tfinal", KeyType::Int, "Final-phase steps with the pattern fixed"},
    {"deltaT", KeyType::Int, "Masking interval ΔT"},
    {"beta1", KeyType::Double, "EMA of sensitivity β1"},
    {"beta2", KeyType::Double, "EMA of uncertainty β2"},
    {"importance_score", KeyType::String, "ipt (paper), sensitivity, magnitude (AdaLoRA only)"},
    {"total_step", KeyType::Int, "Schedule length T (default: the run's optimizer steps)"}};
const Keys kOrthKeys = {
    {"orth_reg_weight", KeyType::Double, "Orthogonal regulariser weight γ"},
    {"orth_reg_form", KeyType::String, "peft (mean of norms) or paper (squared sum)"}};
const Keys kAdaLoraKeys = {
    {"init_r", KeyType::Int, "AdaLoRA initial rank per matrix"},
    {"init_lora_weights", KeyType::Bool, "AdaLoRA: λ = 0, P, Q ~ N(0, 0.02²) (false: all N(0, 1))"}};
const Keys kBottleneckKeys = {
    {"bottleneck_size", KeyType::Int, "Houlsby / Pfeiffer adapter hidden size d"},
    {"non_linearity", KeyType::String, "Adapter activation: relu, gelu, swish, tanh"}};

Keys concat(std::initializer_list<Keys> groups) {
  Keys out;
  for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

const std::vector<MethodEntry>& table() {
  static const std::vector<MethodEntry> entries = {
      // name, summary, peft_type written, keys, architecture targets, make, load
      {"adalora", "AdaLoRA: SVD-form adapters with importance-driven budget (the paper)", "ADALORA",
       concat({kAdaLoraKeys, kLoraKeys, kScheduleKeys, kOrthKeys, kTargetKeys}), true, make_adalora,
       load_adalora_method},
      {"lora", "LoRA (Hu et al.): B·A at rank r on every target", "LORA", concat({kLoraKeys, kTargetKeys}), true,
       make_lora, [](torch::nn::Module& m, const std::string& dir) { return load_lora(m, dir); }},
      {"full", "Full fine-tuning: every parameter trains", "", {}, false, make_full_finetuning,
       [](torch::nn::Module& m, const std::string& dir) { return load_selected_parameters(m, dir); }},
      {"bitfit", "BitFit: only the biases train", "", {}, false, make_bitfit, nullptr},
      {"houlsby", "Houlsby adapter: bottleneck after attention output and FFN output", "HOULSBY",
       concat({kBottleneckKeys, kTargetKeys}), false, make_houlsby, load_bottleneck},
      {"pfeiffer", "Pfeiffer adapter: bottleneck after the FFN output only", "PFEIFFER",
       concat({kBottleneckKeys, kTargetKeys}), false, make_pfeiffer, load_bottleneck},
      {"pruned_lora", "LoRA whose doublets are pruned by AdaLoRA's importance and schedule (Table 4)", "LORA",
       concat({kLoraKeys, kScheduleKeys, kTargetKeys}), true, make_pruned_lora, nullptr},
      {"svd_lora", "SVD-LoRA: P·Λ·Q with the orthogonal regulariser, no budget allocation (Table 5)",
       "ADALORA", concat({kLoraKeys, kOrthKeys, kTargetKeys}), true, make_svd_lora, nullptr},
      {"lora_regu", "LoRA with the orthogonal regulariser on A and B (Table 5)", "LORA",
       concat({kLoraKeys, kOrthKeys, kTargetKeys}), true, make_lora_regu, nullptr},
  };
  static const bool valid = [] {
    std::set<std::string> names, loaders;
    for (const auto& e : entries) {
      ADALORA_CHECK(names.insert(e.name).second, "peft registry: method \"", e.name, "\" listed twice");
      ADALORA_CHECK(e.make != nullptr, "peft registry: method \"", e.name, "\" has no maker");
      if (e.load) {
        ADALORA_CHECK(loaders.insert(e.peft_type).second, "peft registry: two loaders for peft_type \"",
                      e.peft_type, "\"");
      }
    }
    return true;
  }();
  (void)valid;
  return entries;
}

}  // namespace

const std::vector<MethodEntry>& methods() { return table(); }

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& e : table()) names.push_back(e.name);
  return names;
}

const MethodEntry& find_method(const std::string& name) {
  for (const auto& e : table()) {
    if (name == e.name) return e;
  }
  std::string known;
  for (const auto& n : method_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error(str_cat("method: expected one of ", known, ", got \"", name, "\""));
}

const MethodEntry* find_loader(const std::string& peft_type) {
  for (const auto& e : table()) {
    if (e.load && peft_type == e.peft_type) return &e;
  }
  return nullptr;
}

std::vector<ConfigKey> method_config_keys() {
  std::vector<ConfigKey> out;
  std::set<std::string> seen;
  for (const auto& e : table()) {
    for (const auto& k : e.keys) {
      if (seen.insert(k.key).second) out.push_back(k);
    }
  }
  return out;
}

std::string cli_flag_name(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '_') {
      out += '-';
    } else if (std::isupper(static_cast<unsigned char>(c))) {
      out += '-';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

MethodPtr make_method(const std::string& name, torch::nn::Module& model, const io::Json& config,
                      int64_t total_step) {
  return find_method(name).make(model, config.is_null() ? io::Json::object() : config, total_step);
}

}  // namespace adalora::peft
