// `adalora predict`: run a trained adapter over an input file of the task's format (GLUE TSV, or
// JSONL/CSV with `text` and optional `text_pair`; labels, if present, are ignored) and write one
// JSON object per row, in input order: {"label": name, "probabilities": [p_0, …]} (id order of
// labels.json) or {"value": x} for regression. The output file is written atomically.
#include <iostream>

#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "adalora/tasks/registry.h"
#include "adalora/train/evaluate.h"
#include "tools/adalora/command.h"

namespace adalora::cli {
namespace {

struct PredictFlags {
  train::InferenceConfig config;
  std::string input, output;
};

}  // namespace

Command predict_command() {
  return {
      "predict", "Predict labels (JSONL) for an input file with a trained adapter",
      [](CLI::App& app) {
        auto f = std::make_shared<PredictFlags>();
        app.add_option("--model", f->config.model_dir,
                       "Base model folder the adapter was trained on")
            ->required();
        app.add_option("--adapter", f->config.adapter_dir,
                       "Adapter folder (OUT/adapter, OUT/best) or the training output folder OUT")
            ->required();
        app.add_option("--input", f->input, "Rows to predict, in the task's format")->required();
        app.add_option("--output", f->output, "JSONL file to write (one object per input row)")
            ->required();
        app.add_option("--task", f->config.task,
                       "Task name (default: the one in labels.json beside the adapter)");
        app.add_option("--tokenizer", f->config.tokenizer,
                       "Tokenizer folder or file (default: the model folder)");
        app.add_option("--max-seq-length", f->config.max_seq_length,
                       "Truncation length (default: the training run's, from results.json)");
        app.add_option("--batch-size", f->config.batch_size, "Examples per forward pass");
        app.add_option("--device", f->config.device, "cpu (default), cuda or cuda:N");
        return [f]() {
          train::TrainedClassifier c = train::load_trained_classifier(f->config);
          const data::Dataset rows = tasks::read_task_file(*c.spec, f->input, c.label_names);
          const auto predictions = train::predict(c, rows);
          io::write_file_atomic(f->output, [&](std::ostream& out) {
            for (const auto& p : predictions) {
              io::Json line =
                  c.spec->is_regression
                      ? io::Json{{"value", p.value}}
                      : io::Json{{"label", c.label_names.at(static_cast<size_t>(p.label))},
                                 {"probabilities", p.probabilities}};
              out << line.dump() << "\n";
            }
          });
          std::cout << "wrote " << predictions.size() << " predictions to " << f->output << "\n";
          return 0;
        };
      }};
}

}  // namespace adalora::cli
