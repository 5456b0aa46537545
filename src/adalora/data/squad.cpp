// SQuAD JSON / JSONL readers (see squad.h).
#include "adalora/data/squad.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "adalora/core/error.h"
#include "adalora/io/json.h"
#include "adalora/tokenizers/unicode.h"

namespace adalora::data {
namespace {

std::vector<SquadAnswer> read_answers(const io::Json& value, const std::string& where) {
  std::vector<SquadAnswer> answers;
  if (value.is_object()) {  // HF datasets' column form
    const io::JsonObject columns(value, where + ": answers");
    const auto texts = columns.get<std::vector<std::string>>("text");
    const auto starts = columns.get<std::vector<int64_t>>("answer_start");
    ADALORA_CHECK(texts.size() == starts.size(), where, ": answers: expected as many answer_start as text, got ",
                  starts.size(), " and ", texts.size());
    for (size_t i = 0; i < texts.size(); ++i) answers.push_back({texts[i], starts[i]});
    return answers;
  }
  ADALORA_CHECK(value.is_array(), where, ": answers: expected a list, got ", value.dump());
  for (size_t i = 0; i < value.size(); ++i) {
    const io::JsonObject answer(value[i], str_cat(where, ": answers[", i, "]"));
    answers.push_back({answer.get<std::string>("text"), answer.get<int64_t>("answer_start")});
  }
  return answers;
}

SquadExample read_question(const io::JsonObject& qa, const std::string& context,
                           const std::string& title, const std::string& where) {
  SquadExample example;
  example.id = qa.get<std::string>("id");
  example.question = qa.get<std::string>("question");
  example.context = context;
  example.title = title;
  example.is_impossible = qa.get_or<bool>("is_impossible", false);
  example.answers = read_answers(qa.raw("answers"), str_cat(where, ": question \"", example.id, "\""));
  return example;
}

void add_unique(SquadDataset& dataset, std::unordered_set<std::string>& ids, SquadExample example,
                const std::string& where) {
  check_squad_example(example, str_cat(where, ": question \"", example.id, "\""));
  ADALORA_CHECK(ids.insert(example.id).second, where, ": question \"", example.id,
                "\": id: expected a unique id, got one seen before");
  dataset.examples.push_back(std::move(example));
}

SquadDataset read_official(const std::string& path) {
  SquadDataset dataset{path, {}};
  std::unordered_set<std::string> ids;
  const io::Json root = io::load_json_file(path);
  const io::JsonObject top(root, path);
  const io::Json& data = top.raw("data");
  ADALORA_CHECK(data.is_array(), path, ": data: expected a list of articles, got ", data.type_name());
  for (size_t a = 0; a < data.size(); ++a) {
    const io::JsonObject article(data[a], str_cat(path, ": data[", a, "]"));
    const std::string title = article.get_or<std::string>("title", "");
    const io::Json& paragraphs = article.raw("paragraphs");
    ADALORA_CHECK(paragraphs.is_array(), article.source(), ": paragraphs: expected a list");
    for (size_t p = 0; p < paragraphs.size(); ++p) {
      const io::JsonObject paragraph(paragraphs[p], str_cat(article.source(), ": paragraphs[", p, "]"));
      const std::string context = paragraph.get<std::string>("context");
      const io::Json& qas = paragraph.raw("qas");
      ADALORA_CHECK(qas.is_array(), paragraph.source(), ": qas: expected a list");
      for (size_t q = 0; q < qas.size(); ++q) {
        const io::JsonObject qa(qas[q], str_cat(paragraph.source(), ": qas[", q, "]"));
        add_unique(dataset, ids, read_question(qa, context, title, path), path);
      }
    }
  }
  return dataset;
}

SquadDataset read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADALORA_CHECK(in.good(), path, ": cannot open the file");
  SquadDataset dataset{path, {}};
  std::unordered_set<std::string> ids;
  std::string content;
  for (int64_t line = 1; std::getline(in, content); ++line) {
    if (line == 1 && content.compare(0, 3, "\xEF\xBB\xBF") == 0) content.erase(0, 3);
    if (content.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = str_cat(path, ":", line);
    io::Json row;
    try {
      row = io::Json::parse(content);
    } catch (const io::Json::exception& e) {
      throw Error(str_cat(where, ": row: expected one JSON object per line, got invalid JSON (", e.what(), ")"));
    }
    const io::JsonObject qa(row, where);
    add_unique(dataset, ids,
               read_question(qa, qa.get<std::string>("context"), qa.get_or<std::string>("title", ""), where),
               where);
  }
  return dataset;
}

}  // namespace

void check_squad_example(const SquadExample& example, const std::string& where) {
  ADALORA_CHECK(!example.id.empty(), where, ": id: expected a non-empty string");
  ADALORA_CHECK(!example.context.empty(), where, ": context: expected a non-empty text");
  ADALORA_CHECK(!(example.is_impossible && !example.answers.empty()), where,
                ": answers: expected none for an is_impossible question, got ", example.answers.size());
  const std::u32string context = tokenizers::utf8_to_u32(example.context);
  for (size_t i = 0; i < example.answers.size(); ++i) {
    const SquadAnswer& a = example.answers[i];
    const std::u32string text = tokenizers::utf8_to_u32(a.text);
    const bool inside = a.answer_start >= 0 &&
                        static_cast<size_t>(a.answer_start) + text.size() <= context.size();
    ADALORA_CHECK(inside && context.compare(static_cast<size_t>(a.answer_start), text.size(), text) == 0,
                  where, ": answers[", i, "].answer_start: expected the position of \"", a.text,
                  "\" in the context, got ", a.answer_start,
                  inside ? str_cat(" (the context there reads \"",
                                   tokenizers::u32_to_utf8(context.substr(static_cast<size_t>(a.answer_start), text.size())),
                                   "\")")
                         : std::string(" (outside the context)"));
  }
}

SquadDataset read_squad_file(const std::string& path) {
  const bool jsonl = path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
  return jsonl ? read_lines(path) : read_official(path);
}

}  // namespace adalora::data
