// The table of task pipelines: one row per task family (train/task_pipeline.h).
#include "adalora/train/task_pipeline.h"

#include <filesystem>
#include <utility>

#include "adalora/core/error.h"

namespace adalora::train {

// Each family's pipeline lives in its own file.
std::unique_ptr<TaskPipeline> make_classification_pipeline(const tasks::TaskSpec& spec);
std::unique_ptr<TaskPipeline> make_causal_lm_pipeline(const tasks::TaskSpec& spec);
std::unique_ptr<TaskPipeline> make_seq2seq_pipeline(const tasks::TaskSpec& spec);
std::unique_ptr<TaskPipeline> make_question_answering_pipeline(const tasks::TaskSpec& spec);

namespace {

using Factory = std::unique_ptr<TaskPipeline> (*)(const tasks::TaskSpec&);

const std::vector<std::pair<tasks::TaskFamily, Factory>>& pipeline_table() {
  static const std::vector<std::pair<tasks::TaskFamily, Factory>> table = {
      {tasks::TaskFamily::Classification, &make_classification_pipeline},
      {tasks::TaskFamily::CausalLM, &make_causal_lm_pipeline},
      {tasks::TaskFamily::Seq2Seq, &make_seq2seq_pipeline},
      {tasks::TaskFamily::QuestionAnswering, &make_question_answering_pipeline},
  };
  return table;
}

}  // namespace

std::unique_ptr<TaskPipeline> make_task_pipeline(const tasks::TaskSpec& spec) {
  for (const auto& [family, make] : pipeline_table()) {
    if (family == spec.family) return make(spec);
  }
  throw Error(str_cat("train: task ", spec.name, ": its family has no training pipeline yet"));
}

std::string resolve_data_path(const std::string& dir, const std::string& file) {
  namespace fs = std::filesystem;
  if (file.empty() || fs::path(file).is_absolute() || dir.empty()) return file;
  return (fs::path(dir) / file).string();
}

}  // namespace adalora::train
