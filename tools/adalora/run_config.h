// Where `adalora train`'s settings come from: a preset (by name or file), a config file, flags.
#pragma once

#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::cli {

/// The file of a preset: `value` itself when it is an existing file, otherwise `<value>.json` in
/// the first of: $ADALORA_PRESETS_DIR, ./presets, <folder of the executable>/../presets, the source
/// tree's presets/ (so `--preset demo` and `--preset glue/rte_0.3M` work from any folder). Error
/// lists the folders searched.
std::string find_preset(const std::string& value);

/// Merges the preset, then the config file, then the flags (later wins). Relative paths in a file
/// (model, tokenizer, data_dir, train_file, eval_file, output_dir) are taken relative to that
/// file's folder, so a preset can name the repository's model and data wherever it is run from;
/// train_file / eval_file stay relative to data_dir when the same file sets data_dir (the
/// trainer resolves them). A flag also replaces that key in each run of a comparison
/// (train/compare.h) that sets it. Flags' paths are relative to the working directory. Returns the merged
/// object and, in `source`, the names of what was merged for error messages.
io::Json merge_run_config(const std::string& preset, const std::string& config_file, const io::Json& flags,
                          std::string* source);

}  // namespace adalora::cli
