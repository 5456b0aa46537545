// JSONL / CSV rows of named text fields (data/text_records.h): the requested fields of each row,
// and the same file-and-line errors as the labeled-text reader (both read rows through
// data/row_files.h).
#include "adalora/data/text_records.h"

#include <gtest/gtest.h>

#include <fstream>

#include "adalora/core/error.h"

namespace adalora::data {
namespace {

// Writes `content` to a file named `name` in the test temp dir and returns its path.
std::string write_text_records_file(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "adalora_text_records_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string text_records_error(const std::string& path) {
  try {
    read_text_records(path, {"document", "summary"});
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(TextRecordsTest, ReadsTheRequestedFieldsOfJsonlRows) {
  // A byte-order mark, CRLF, a blank line, a null field and a field that was not asked for.
  const std::string path = write_text_records_file(
      "rows.jsonl",
      "\xEF\xBB\xBF{\"document\": \"d1\", \"summary\": \"s1\", \"id\": 7}\r\n\n"
      "{\"document\": \"d2\", \"summary\": null}\n");
  const TextRecords records = read_text_records(path, {"document", "summary"});
  EXPECT_EQ(records.path, path);
  ASSERT_EQ(records.rows.size(), 2u);
  EXPECT_EQ(records.rows[0].line, 1);
  EXPECT_EQ(records.rows[0].get("document"), "d1");
  EXPECT_EQ(records.rows[0].get("summary"), "s1");
  EXPECT_EQ(records.rows[0].get("id"), std::nullopt);
  EXPECT_EQ(records.rows[1].line, 3);
  EXPECT_EQ(records.rows[1].get("summary"), std::nullopt);
}

TEST(TextRecordsTest, ReadsTheRequestedColumnsOfCsvRows) {
  const std::string path =
      write_text_records_file("rows.csv", "summary,document\n\"s, 1\",d1\n,d2\n");
  const TextRecords records = read_text_records(path, {"document", "summary"});
  ASSERT_EQ(records.rows.size(), 2u);
  EXPECT_EQ(records.rows[0].line, 2);
  EXPECT_EQ(records.rows[0].get("summary"), "s, 1");
  EXPECT_EQ(records.rows[1].get("document"), "d2");
  EXPECT_EQ(records.rows[1].get("summary"), "");  // an empty cell is an empty string
}

TEST(TextRecordsTest, ErrorsNameFileLineAndField) {
  const std::string bad_json =
      write_text_records_file("bad.jsonl", "{\"document\": \"a\"}\n{\"document\": \n");
  EXPECT_EQ(text_records_error(bad_json)
                .rfind(bad_json + ":2: row: expected one JSON object per line, got invalid JSON", 0),
            0u);
  const std::string array = write_text_records_file("array.jsonl", "[1, 2]\n");
  EXPECT_EQ(text_records_error(array), array + ":1: row: expected a JSON object, got array");
  const std::string number = write_text_records_file("number.jsonl", "{\"summary\": 3}\n");
  EXPECT_EQ(text_records_error(number), number + ":1: summary: expected a string, got 3");
  const std::string short_row = write_text_records_file("short.csv", "document,summary\na,b\nc\n");
  EXPECT_EQ(text_records_error(short_row),
            short_row + ":3: row: expected 2 comma-separated fields (as in the header), got 1");
  const std::string empty = write_text_records_file("empty.csv", "");
  EXPECT_EQ(text_records_error(empty),
            empty + ": header: expected a header row with the columns document, summary, got an "
                    "empty file");
  const std::string txt = write_text_records_file("data.txt", "a\n");
  EXPECT_EQ(text_records_error(txt),
            txt + ": file extension: expected .jsonl, .json or .csv, got "
                  "\"adalora_text_records_data.txt\"");
  const std::string missing = ::testing::TempDir() + "adalora_text_records_missing.jsonl";
  EXPECT_EQ(text_records_error(missing),
            missing + ": expected a readable file, got none (does the path exist?)");
}

}  // namespace
}  // namespace adalora::data
