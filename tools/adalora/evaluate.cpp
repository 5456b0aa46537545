// `adalora eval`: evaluate a trained adapter on its task's dev split(s) — the base model folder,
// the adapter folder (or the training output folder) and the task; prints the metrics as
// `adalora train` does, or one JSON line with --json. See train/evaluate.h for what is read.
#include "adalora/train/evaluate.h"

#include <iomanip>
#include <iostream>

#include "adalora/io/json.h"
#include "tools/adalora/command.h"
#include "tools/adalora/score_predictions.h"

namespace adalora::cli {
namespace {

struct EvalFlags {
  train::InferenceConfig config;
  std::string data_dir, eval_file;
  bool json = false;
  PredictionScoring scoring;  // --predictions: no model
};

}  // namespace

Command evaluate_command() {
  return {
      "eval", "Evaluate a trained adapter on a task's dev split(s)", [](CLI::App& app) {
        auto f = std::make_shared<EvalFlags>();
        app.add_option("--model", f->config.model_dir,
                       "Base model folder the adapter was trained on (required unless --predictions)");
        app.add_option("--adapter", f->config.adapter_dir,
                       "Adapter folder (OUT/adapter, OUT/best) or the training output folder OUT");
        app.add_option("--task", f->config.task,
                       "Task name (default: the one in labels.json beside the adapter)");
        app.add_option("--data-dir", f->data_dir,
                       "Folder of the task's files (GLUE: e.g. glue_data/RTE)");
        app.add_option("--eval-file", f->eval_file,
                       "Dev file (replaces the task's first dev split)");
        app.add_option("--tokenizer", f->config.tokenizer,
                       "Tokenizer folder or file (default: the model folder)");
        app.add_option("--max-seq-length", f->config.max_seq_length,
                       "Truncation length (default: the training run's, from results.json)");
        app.add_option("--device", f->config.device, "cpu (default), cuda or cuda:N");
        app.add_option("--batch-size", f->config.batch_size,
                       "Examples per forward pass (default: the training run's eval batch size)");
        app.add_flag("--json", f->json, "Print one JSON line instead of a table");
        app.add_option("--predictions", f->scoring.predictions,
                       "Score this predictions file ({id: answer}) without a model (squad, squad_v2)");
        app.add_option("--data", f->scoring.data, "The SQuAD file (JSON or JSONL) --predictions answers");
        app.add_option("--na-probs", f->scoring.na_probs,
                       "squad_v2: {id: no-answer probability} for the best-threshold search");
        app.add_option("--na-prob-thresh", f->scoring.na_prob_thresh,
                       "squad_v2: predict no answer when na_prob > this (default 1.0)");
        return [f]() {
          if (!f->scoring.predictions.empty()) {
            f->scoring.task = f->config.task;
            f->scoring.json = f->json;
            return score_predictions(f->scoring);
          }
          ADALORA_CHECK(!f->config.model_dir.empty() && !f->config.adapter_dir.empty(),
                        "eval: expected --model and --adapter (or --predictions and --data)");
          train::TrainedClassifier c = train::load_trained_classifier(f->config);
          const auto metrics = train::evaluate_trained(c, f->data_dir, f->eval_file);
          const std::string primary =
              c.spec->eval_splits.front().name + "/" + c.spec->primary_metric;
          if (f->json) {
            std::cout << io::Json({{"task", c.spec->name},
                                   {"method", c.method->name()},
                                   {"adapter", c.adapter_dir},
                                   {"metrics", metrics},
                                   {"primary_metric", primary}})
                             .dump()
                      << "\n";
            return 0;
          }
          std::cout << c.method->name() << " adapter " << c.adapter_dir << " on " << c.spec->name
                    << ":\n";
          for (const auto& [name, value] : metrics) {
            std::cout << "  " << std::left << std::setw(24) << name << std::fixed
                      << std::setprecision(4) << value << (name == primary ? "  (primary)" : "")
                      << "\n";
          }
          return 0;
        };
      }};
}

}  // namespace adalora::cli
