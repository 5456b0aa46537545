// SQuAD question-answering data: the official JSON (`{"version", "data": [{"title",
// "paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text", "answer_start"}],
// "is_impossible"}]}]}]}`, v1.1 and v2.0) and JSONL with one question per line and the same
// fields plus `context` and optional `title` (`answers` may also be HF datasets' column form
// `{"text": [...], "answer_start": [...]}`).
//
// `answer_start` counts code points, as Python does. Checked on reading, each error naming the
// file, the question id (or JSONL line) and the field: an answer whose text is not found at
// answer_start, a question id seen twice, an empty context or id, an impossible question with
// answers. `plausible_answers` (v2) is ignored, as the official scorer ignores it. No
// tokenisation here (tasks/squad does the features).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace adalora::data {

struct SquadAnswer {
  std::string text;
  int64_t answer_start = 0;  ///< in code points of the context
};

/// One question with its context, in file order.
struct SquadExample {
  std::string id;
  std::string title;
  std::string context;
  std::string question;
  std::vector<SquadAnswer> answers;  ///< empty for an unanswerable (v2) question
  bool is_impossible = false;
};

struct SquadDataset {
  std::string path;
  std::vector<SquadExample> examples;  ///< dataset order (the scorers' order)
};

/// Reads `path`: `.jsonl` → one question per line; anything else → the official JSON.
SquadDataset read_squad_file(const std::string& path);

/// Checks one example (see the header comment); `where` prefixes messages ("file: question \"id\"").
void check_squad_example(const SquadExample& example, const std::string& where);

}  // namespace adalora::data
