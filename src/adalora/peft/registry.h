// PEFT methods by name: an explicit table (registry.cpp), one row per method carrying everything
// the rest of the system needs to know about it — its name, the peft_type it writes, the run-config
// keys it reads (the trainer's key whitelist and the CLI's flags are built from them), whether it
// takes the architecture's default target_modules, and how to attach and load it. A new method is
// one file (or folder) under peft/ plus one row here.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "adalora/io/json.h"
#include "adalora/peft/method.h"

namespace adalora::peft {

/// The JSON type of a configuration key (and of its CLI flag's value).
enum class KeyType { Int, Double, Bool, String, Strings, Ints };

/// One key a method reads from the run configuration. The CLI flag is its kebab-case spelling
/// (cli_flag_name): `orth_reg_weight` ↔ `--orth-reg-weight`, `deltaT` ↔ `--delta-t`.
struct ConfigKey {
  const char* key;
  KeyType type;
  const char* help;
};

using MakeMethod = std::function<MethodPtr(torch::nn::Module& model, const io::Json& config, int64_t total_step)>;
using LoadMethod = std::function<MethodPtr(torch::nn::Module& model, const std::string& dir)>;

struct MethodEntry {
  const char* name;       ///< "adalora", "lora", … (the `method` key, `--method`)
  const char* summary;    ///< one line for --help and docs
  /// What save() writes: an adapter_config.json peft_type ("ADALORA", "LORA", "HOULSBY", …), or
  /// "" for a model.safetensors of selected parameters (full fine-tuning, BitFit).
  const char* peft_type;
  std::vector<ConfigKey> keys;  ///< configuration keys it reads (validation is the method's own)
  /// target_modules defaults to the architecture's PEFT LoRA targets (models/registry.cpp) when
  /// the run does not set it; false for methods with their own placement (adapters) or none.
  bool architecture_targets;
  MakeMethod make;
  /// Loads what save() wrote; empty when the method writes another row's format (e.g. SVD-LoRA
  /// writes an AdaLoRA adapter and is loaded by the "adalora" row).
  LoadMethod load;
};

/// Every registered method, in table order. Validated on first use (unique names and peft_types
/// among loaders, a maker for each).
const std::vector<MethodEntry>& methods();

/// The entry named `name`; Error listing the known names otherwise.
const MethodEntry& find_method(const std::string& name);

/// The entry that loads folders with this peft_type ("" = model.safetensors), or nullptr.
const MethodEntry* find_loader(const std::string& peft_type);

/// The union of every method's configuration keys, each once (first row's help wins).
std::vector<ConfigKey> method_config_keys();

/// `deltaT` → `delta-t`, `orth_reg_weight` → `orth-reg-weight` (without the leading "--").
std::string cli_flag_name(const std::string& key);

/// Attaches method `name` to `model` with its configuration `config` (PEFT-style keys, e.g.
/// init_r, target_r, target_modules for "adalora"; r, lora_alpha for "lora"). `total_step` is the
/// number of optimizer steps of the run (schedules need it). Error for unknown names lists the
/// known ones.
MethodPtr make_method(const std::string& name, torch::nn::Module& model, const io::Json& config,
                      int64_t total_step);

/// The registered method names.
std::vector<std::string> method_names();

}  // namespace adalora::peft
