// `adalora export`: an adapter in the form a server takes (docs/export.md).
//   --to lora    AdaLoRA adapter → plain PEFT LoRA adapter (per-module ranks via rank_pattern /
//                alpha_pattern, or --uniform-rank N padded with zeros; --max-rank refuses a
//                server's limit)
//   --to merged  base model + adapter merged into a HuggingFace model folder (--dtype, sharded
//                above --max-shard-size, tokenizer files copied)
//   --to gguf    LoRA or AdaLoRA adapter → llama.cpp's GGUF LoRA adapter (LLaMA, Mistral, Qwen2;
//                --model names the base for its config.json; --dtype f32 | f16)
#include <filesystem>
#include <iostream>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/export_lora.h"
#include "adalora/train/export_gguf.h"
#include "adalora/train/export_merged.h"
#include "tools/adalora/command.h"

namespace adalora::cli {
namespace {
namespace fs = std::filesystem;

struct ExportFlags {
  std::string to, out, dtype = "f32", max_shard_size;
  train::InferenceConfig inference;
  peft::LoraExportOptions lora;
};

int run_export(const ExportFlags& f) {
  if (f.to == "lora") {
    std::string adapter = f.inference.adapter_dir;  // a training output folder stands for its adapter/
    if (!fs::exists(fs::path(adapter) / "adapter_config.json") && fs::exists(fs::path(adapter) / "adapter")) {
      adapter = (fs::path(adapter) / "adapter").string();
    }
    const auto s = peft::export_adalora_as_lora(adapter, f.out, f.lora);
    // The run's labels and settings travel with the adapter, so `adalora eval` needs no --task.
    for (const char* name : {"labels.json", "results.json"}) {
      for (const fs::path& dir : {fs::path(adapter), fs::path(adapter).parent_path()}) {
        if (!fs::exists(dir / name)) continue;
        fs::copy_file(dir / name, fs::path(f.out) / name, fs::copy_options::overwrite_existing);
        break;
      }
    }
    std::cout << "wrote LoRA adapter " << f.out << ": " << s.modules << " modules, ranks "
              << (f.lora.uniform_rank > 0 ? "all " + std::to_string(f.lora.uniform_rank)
                                          : "per module (max " + std::to_string(s.max_rank) + ")")
              << ", total kept rank " << s.total_rank << ", " << s.dropped_modules
              << " modules at rank 0 dropped\n";
    return 0;
  }
  if (f.to == "gguf") {
    if (f.inference.model_dir.empty()) {
      throw Error("export --to gguf: --model: expected the base model folder (its config.json), got none");
    }
    std::string adapter = f.inference.adapter_dir;  // a training output folder stands for its adapter/
    if (!fs::exists(fs::path(adapter) / "adapter_config.json") && fs::exists(fs::path(adapter) / "adapter")) {
      adapter = (fs::path(adapter) / "adapter").string();
    }
    train::GgufExportOptions options;
    const auto dtype = train::export_dtype_from_name(f.dtype);
    if (dtype != torch::kFloat32 && dtype != torch::kFloat16) {
      throw Error("export --to gguf: --dtype: expected f32 or f16, got " + f.dtype);
    }
    options.type = dtype == torch::kFloat32 ? io::GgmlType::F32 : io::GgmlType::F16;
    const auto s = train::export_adapter_as_gguf(adapter, f.inference.model_dir, f.out, options);
    std::cout << "wrote GGUF LoRA adapter " << f.out << " (" << s.architecture << "): " << s.modules
              << " modules, max rank " << s.max_rank << ", alpha " << s.alpha << ", " << s.rescaled_modules
              << " modules with their own scaling folded into lora_b\n";
    return 0;
  }
  if (f.inference.model_dir.empty()) throw Error("export --to merged: --model: expected the base model folder, got none");
  train::MergedExportOptions options;
  options.dtype = train::export_dtype_from_name(f.dtype);
  if (!f.max_shard_size.empty()) options.max_shard_bytes = train::parse_size(f.max_shard_size);
  const auto s = train::export_merged(f.inference, f.out, options);
  std::cout << "wrote merged model " << f.out << ": " << s.tensors << " tensors, " << s.bytes
            << " bytes in " << s.shards << (s.shards == 1 ? " file" : " shards") << ", "
            << s.tokenizer_files.size() << " tokenizer files\n";
  return 0;
}

}  // namespace

Command export_command() {
  return {"export", "Export an adapter as plain LoRA, a merged HuggingFace model or a llama.cpp GGUF LoRA", [](CLI::App& app) {
            auto f = std::make_shared<ExportFlags>();
            app.add_option("--to", f->to, "lora | merged | gguf")
                ->required()
                ->check(CLI::IsMember({"lora", "merged", "gguf"}));
            app.add_option("--adapter", f->inference.adapter_dir,
                           "Adapter folder (for merged also a training output folder)")
                ->required();
            app.add_option("--out", f->out, "Folder to write (gguf: the .gguf file)")->required();
            app.add_option("--uniform-rank", f->lora.uniform_rank,
                           "lora: every module at this rank, padded with zeros (default: each module's kept rank)");
            app.add_option("--max-rank", f->lora.max_rank,
                           "lora: refuse ranks above this (the server's max LoRA rank)");
            app.add_option("--model", f->inference.model_dir, "merged, gguf: base model folder the adapter was trained on");
            app.add_option("--task", f->inference.task, "merged: task (default: labels.json beside the adapter)");
            app.add_option("--tokenizer", f->inference.tokenizer, "merged: tokenizer folder (default: --model)");
            app.add_option("--dtype", f->dtype, "merged: f32 | f16 | bf16; gguf: f32 | f16 (default f32)");
            app.add_option("--max-shard-size", f->max_shard_size,
                           "merged: shard above this size, e.g. 2GB, 500MB (default: one file)");
            return [f]() { return run_export(*f); };
          }};
}

}  // namespace adalora::cli
