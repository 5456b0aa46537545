// Reading a task's files through the matching data reader (see task.h).
#include "adalora/tasks/task.h"

#include "adalora/core/error.h"
#include "adalora/data/glue.h"
#include "adalora/data/labeled_text.h"

namespace adalora::tasks {

data::Dataset read_task_file(const TaskSpec& spec, const std::string& path,
                             const std::vector<std::string>& label_names) {
  if (spec.format == DataFormat::GlueTsv) return data::read_glue_tsv(path, spec.glue_task);
  if (spec.format == DataFormat::TextRecords) {
    throw Error(str_cat("task ", spec.name, ": ", path,
                        ": expected a labelled-text task; this task's files are read by its training "
                        "pipeline (train/generative_data.h)"));
  }
  ADALORA_CHECK(spec.format != DataFormat::Squad, path, ": task ", spec.name,
                ": SQuAD files are read with data::read_squad_file, not as labelled text");
  return data::read_labeled_file(path, spec.is_regression, label_names);
}

}  // namespace adalora::tasks
