// `adalora pretrain`: masked-LM pre-training of a small BERT (or DeBERTa-v3-style) encoder from
// scratch on a text file, with a WordPiece tokenizer trained on the same file; writes a HF model
// folder. The job is train::pretrain(); this file maps flags to PretrainConfig and prints progress.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "adalora/train/pretrain.h"
#include "tools/adalora/command.h"
#include "tools/adalora/format_duration.h"

namespace adalora::cli {

Command pretrain_command() {
  return {"pretrain", "Pre-train a small encoder (masked LM) and its WordPiece tokenizer on a text file",
          [](CLI::App& app) {
            auto c = std::make_shared<train::PretrainConfig>();
            app.add_option("--corpus", c->corpus, "UTF-8 text file, one paragraph per line")->required();
            app.add_option("--out", c->output_dir, "Output model folder (HF format; replaced atomically)")->required();
            app.add_option("--tokenizer", c->tokenizer, "Reuse this tokenizer folder/file instead of training one");
            app.add_option("--arch", c->arch, "bert (default) or deberta-v2 (DeBERTa-v3 layout)");
            app.add_option("--hidden-size", c->hidden_size, "Hidden size (default 256)");
            app.add_option("--layers", c->num_hidden_layers, "Encoder layers (default 4)");
            app.add_option("--heads", c->num_attention_heads, "Attention heads (default 4)");
            app.add_option("--intermediate-size", c->intermediate_size, "FFN size (default 1024)");
            app.add_option("--vocab-size", c->vocab_size, "WordPiece vocabulary size (default 8000)");
            app.add_option("--max-seq-length", c->max_seq_length, "Tokens per packed block (default 128)");
            app.add_option("--batch-size", c->per_device_train_batch_size, "Blocks per step (default 32)");
            app.add_option("--learning-rate", c->learning_rate, "Peak learning rate (default 5e-4)");
            app.add_option("--weight-decay", c->weight_decay, "AdamW weight decay (default 0.01)");
            app.add_option("--warmup-steps", c->warmup_steps, "Linear warm-up steps (wins over the ratio)");
            app.add_option("--warmup-ratio", c->warmup_ratio, "Linear warm-up as a share of the steps (default 0.06)");
            app.add_option("--max-grad-norm", c->max_grad_norm, "Gradient clipping (≤ 0: off; default 1)");
            app.add_option("--epochs", c->num_train_epochs, "Passes over the corpus (default 1)");
            app.add_option("--max-steps", c->max_steps, "Total steps (overrides --epochs)");
            app.add_option("--mlm-probability", c->mlm_probability, "Share of tokens predicted (default 0.15)");
            app.add_option("--dropout", c->dropout, "Hidden and attention dropout (default 0.1)");
            app.add_option("--seed", c->seed, "Seed of initialisation, dropout, masks and order (default 42)");
            app.add_option("--logging-steps", c->logging_steps, "Log the mean loss every N steps (default 50)");
            app.add_option("--save-steps", c->save_steps, "Write the model folder every N steps (default 1000)");
            app.add_option("--minutes", c->time_budget_minutes, "Stop and save after this many minutes");
            app.add_option("--stop-after-steps", c->stop_after_steps,
                           "Stop and save after N steps of the --max-steps/--epochs schedule (a reproducible cut)");
            app.add_option("--threads", c->num_threads, "LibTorch threads (default: ADALORA_NUM_THREADS or all cores)");
            return [c]() {
              const bool tty = ::isatty(STDOUT_FILENO) != 0;
              int64_t last_print = 0;
              auto progress = [&](const train::PretrainProgress& p) {
                const double rate = p.elapsed_seconds > 0 ? static_cast<double>(p.step) / p.elapsed_seconds : 0;
                const double eta = rate > 0 ? static_cast<double>(p.total_steps - p.step) / rate : 0;
                std::ostringstream line;
                line << "step " << p.step << "/" << p.total_steps << "  loss " << std::fixed << std::setprecision(4)
                     << p.loss << "  lr " << std::scientific << std::setprecision(2) << p.learning_rate
                     << std::fixed << std::setprecision(2) << "  " << rate << " steps/s  "
                     << std::setprecision(0) << rate * static_cast<double>(p.tokens_per_step) << " tokens/s  ETA "
                     << format_duration(eta);
                if (tty) {
                  std::cout << "\r" << line.str() << "   " << std::flush;
                } else if (p.step == 1 || p.step == p.total_steps || p.step - last_print >= 50) {
                  std::cout << line.str() << "\n" << std::flush;
                  last_print = p.step;
                }
                return true;
              };
              auto message = [](const std::string& m) { std::cout << m << "\n" << std::flush; };
              const train::PretrainResult r = train::pretrain(*c, progress, message);
              if (tty) std::cout << "\n";
              std::cout << (r.stopped_early ? "stopped (time budget) after " : "finished ") << r.steps << " of "
                        << r.total_steps << " steps in " << format_duration(r.train_seconds) << " (+ "
                        << format_duration(r.tokenize_seconds) << " tokenizer and packing); MLM loss " << std::fixed
                        << std::setprecision(4) << r.first_loss << " → " << r.final_loss << "\nwrote "
                        << c->output_dir
                        << "/{config.json, model.safetensors, tokenizer.json, vocab.txt, tokenizer_config.json, "
                           "special_tokens_map.json, log.jsonl, mlm_loss_curve.csv, pretrain_command.txt}\n";
              return 0;
            };
          }};
}

}  // namespace adalora::cli
