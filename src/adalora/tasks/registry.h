// The explicit table of tasks: the eight GLUE tasks of the paper's Table 1, the generic
// classification / regression formats for a user's own data, SQuAD v1.1 / v2.0 (Table 2), and the
// generative tasks (causal LM, seq2seq and the summarization data sets of the paper's Table 3).
//
// One row per task (STYLE.md §2.3); validated at first use (unique names, primary metric among
// the reported ones, GLUE layouts known). Metric choices, all higher-is-better:
//   glue/cola  matthews_correlation (primary)          — paper "Mcc"
//   glue/sst2, glue/qnli, glue/rte  accuracy            — paper "Acc"
//   glue/mrpc, glue/qqp  accuracy (primary), f1         — paper Table 1 reports MRPC Acc and
//                                                         QQP Acc/F1; Table 14 "accuracy for QQP
//                                                         and MRPC"
//   glue/stsb  corr (primary) = (pearson + spearmanr)/2, pearson, spearmanr — paper "Corr",
//                                                         "we report the average correlation"
//   glue/mnli  accuracy on mnli-m (primary) and mnli-mm — paper "m/mm"
//   classification  accuracy (primary), macro_f1;  regression  corr (primary), pearson, spearmanr
//   causal_lm  loss (primary, lower is better: token-mean NLL on dev), perplexity = exp(loss)
//   seq2seq, summarization, summarization/xsum (document → summary),
//   summarization/cnn_dailymail (article → highlights)
//              rougeL (primary; paper Table 3 reports R-1/R-2/R-L), rouge1, rouge2, rougeLsum (×100,
//              from generation), gen_len, loss; loss alone (primary) without predict_with_generate
//   squad  exact_match, f1 (primary);  squad_v2  exact, f1 (primary), HasAns_*, NoAns_* — the
//                                                         official scripts' keys; paper Table 2 "EM/F1"
#pragma once

#include <string>
#include <vector>

#include "adalora/tasks/task.h"

namespace adalora::tasks {

/// All tasks, in table order.
const std::vector<TaskSpec>& task_specs();

/// The task called `name`. Unknown → adalora::Error listing the known names.
const TaskSpec& find_task(const std::string& name);

/// The known task names, in table order.
std::vector<std::string> task_names();

}  // namespace adalora::tasks
