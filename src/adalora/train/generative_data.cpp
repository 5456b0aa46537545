// Causal-LM and seq2seq rows → label sequences (see generative_data.h).
#include "adalora/train/generative_data.h"

#include "adalora/core/error.h"

namespace adalora::train {
namespace {

// Python len(): code points of UTF-8 text (the unit of Encoding::offsets).
size_t code_points(const std::string& text) {
  size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

tokenizers::TruncationOptions truncate_to(int64_t max_length, const std::string& field) {
  ADALORA_CHECK(max_length > 0, "train: ", field, ": expected > 0, got ", max_length);
  tokenizers::TruncationOptions t;
  t.max_length = static_cast<size_t>(max_length);
  return t;
}

}  // namespace

EncodedDataset encode_causal_lm(const data::TextRecords& records, const tokenizers::Tokenizer& tok,
                                int64_t max_seq_length) {
  std::vector<std::string> texts;
  std::vector<size_t> prompt_end;  // code points of the prompt; 0 for "text" rows
  for (const auto& row : records.rows) {
    const std::string where = str_cat(records.path, ":", row.line);
    const auto text = row.get("text"), prompt = row.get("prompt"), completion = row.get("completion");
    if (text) {
      ADALORA_CHECK(!prompt && !completion, where,
                    ": expected either \"text\" or \"prompt\" + \"completion\", got both");
      texts.push_back(*text);
      prompt_end.push_back(0);
    } else {
      ADALORA_CHECK(prompt && completion, where, ": ", prompt ? "completion" : "prompt",
                    ": expected a string (a row has \"text\", or \"prompt\" and \"completion\"), got none");
      texts.push_back(*prompt + *completion);
      prompt_end.push_back(code_points(*prompt));
    }
  }
  const auto encodings = tok.encode_batch(texts, true, truncate_to(max_seq_length, "max_seq_length"));
  EncodedDataset out;
  out.pad_id = tok.pad_id().value_or(0);
  for (size_t i = 0; i < encodings.size(); ++i) {
    const auto& e = encodings[i];
    const std::string where = str_cat(records.path, ":", records.rows[i].line);
    std::vector<int64_t> labels(e.ids.size(), -100);
    bool after_text = false;  // special tokens after a text token belong to the completion
    int64_t predicted = 0;    // label tokens the shifted loss sees (position ≥ 1)
    for (size_t t = 0; t < e.ids.size(); ++t) {
      const bool special = !e.special_tokens_mask.empty() && e.special_tokens_mask[t] == 1;
      if (!special) after_text = true;
      const bool completion = special ? after_text : e.offsets[t].first >= prompt_end[i];
      if (completion) {
        labels[t] = e.ids[t];
        predicted += t >= 1;
      }
    }
    ADALORA_CHECK(predicted > 0, where, ": ", prompt_end[i] > 0 ? "completion" : "text",
                  ": expected at least one token to predict within max_seq_length=", max_seq_length,
                  ", got none (", e.ids.size(), " tokens", prompt_end[i] > 0 ? " of prompt" : "",
                  "; hint: a text needs two tokens; raise max_seq_length)");
    out.input_ids.push_back(e.ids);
    out.label_ids.push_back(std::move(labels));
  }
  return out;
}

EncodedDataset read_causal_lm_file(const std::string& path, const tokenizers::Tokenizer& tok,
                                   int64_t max_seq_length) {
  const data::TextRecords records = data::read_text_records(path, {"text", "prompt", "completion"});
  ADALORA_CHECK(!records.rows.empty(), path, ": expected at least one row, got none");
  return encode_causal_lm(records, tok, max_seq_length);
}

Seq2SeqData read_seq2seq_file(const std::string& path, const std::string& source_column,
                              const std::string& target_column, const tokenizers::Tokenizer& tok,
                              int64_t max_seq_length, int64_t max_target_length) {
  const data::TextRecords records = data::read_text_records(path, {source_column, target_column});
  ADALORA_CHECK(!records.rows.empty(), path, ": expected at least one row, got none");
  Seq2SeqData out;
  for (const auto& row : records.rows) {
    const std::string where = str_cat(path, ":", row.line);
    for (const auto& column : {source_column, target_column}) {
      const auto value = row.get(column);
      ADALORA_CHECK(value.has_value(), where, ": ", column, ": expected a string, got none");
      ADALORA_CHECK(value->find_first_not_of(" \t\r\n") != std::string::npos, where, ": ", column,
                    ": expected a non-empty text, got \"", *value, "\"");
    }
    out.sources.push_back(*row.get(source_column));
    out.targets.push_back(*row.get(target_column));
  }
  const auto sources = tok.encode_batch(out.sources, true, truncate_to(max_seq_length, "max_seq_length"));
  const auto targets =
      tok.encode_batch(out.targets, true, truncate_to(max_target_length, "max_target_length"));
  out.encoded.pad_id = tok.pad_id().value_or(0);
  for (size_t i = 0; i < sources.size(); ++i) {
    out.encoded.input_ids.push_back(sources[i].ids);
    out.encoded.label_ids.push_back(targets[i].ids);
  }
  return out;
}

}  // namespace adalora::train
