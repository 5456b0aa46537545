// Tests of io/json: file parsing errors with the byte offset, HF-style saving, and JsonObject's
// strict, field-named type checks.
#include "adalora/io/json.h"

#include <gtest/gtest.h>

#include "adalora/io/atomic_file.h"
#include "tests/support/golden.h"

namespace adalora::io {
namespace {

using adalora::testing::TempDir;

/// Expects `f` to throw Error with a message equal to `expected`.
template <typename F>
void expect_message(F&& f, const std::string& expected) {
  try {
    f();
    ADD_FAILURE() << "expected Error: " << expected;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

/// Expects `f` to throw Error whose message starts with `prefix` and contains `part`.
template <typename F>
void expect_json_error(F&& f, const std::string& prefix, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "expected Error mentioning " << part;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  }
}

TEST(JsonFileTest, SavesWithTwoSpaceIndentAndLoadsBack) {
  TempDir dir;
  const Json value = {{"r", 8}, {"target_modules", {"query", "value"}}};
  save_json_file(dir.file("c.json"), value);
  EXPECT_EQ(read_file(dir.file("c.json")),
            "{\n  \"r\": 8,\n  \"target_modules\": [\n    \"query\",\n    \"value\"\n  ]\n}\n");
  EXPECT_EQ(load_json_file(dir.file("c.json")), value);
}

TEST(JsonFileTest, InvalidJsonNamesFileAndByte) {
  TempDir dir;
  const std::string path = dir.file("bad.json");
  write_file_atomic(path, std::string("{\"a\": 1,}"));
  expect_json_error([&] { load_json_file(path); }, path + ": invalid JSON at byte 9", "");
}

TEST(JsonFileTest, DeeplyNestedFileIsAnErrorNotACrash) {
  TempDir dir;
  const std::string path = dir.file("config.json");
  write_file_atomic(path, std::string(200000, '[') + std::string(200000, ']'));
  expect_json_error([&] { load_json_file(path); }, path + ": JSON nests deeper than 128 levels", "");
}

// Found by fuzz/json_fuzzer.cpp (fuzz/regressions/json/number_overflow_1e907.json): a number
// beyond double's range made nlohmann throw out_of_range, which escaped as a crash.
TEST(JsonFileTest, NumberBeyondDoubleIsAnErrorNotACrash) {
  TempDir dir;
  const std::string path = dir.file("config.json");
  write_file_atomic(path, std::string("{\"layer_norm_eps\": 1e907}"));
  expect_json_error([&] { load_json_file(path); }, path + ": invalid JSON: ", "number overflow parsing '1e907'");
}

TEST(JsonFileTest, MissingFileNamesFile) {
  TempDir dir;
  expect_json_error([&] { load_json_file(dir.file("none.json")); }, dir.file("none.json"),
               "cannot open");
}

TEST(JsonObjectTest, RejectsNonObject) {
  const Json array = Json::array({1, 2});
  expect_message([&] { JsonObject(array, "config.json"); },
                 "config.json: expected a JSON object, got array");
}

TEST(JsonObjectTest, ReadsTypedFields) {
  const Json j = Json::parse(
      R"({"r": 8, "alpha": 16.5, "name": "x", "flag": true, "whole": 4.0, "list": ["a", "b"],
          "ints": [1, 2], "nothing": null, "sub": {"k": 1}})");
  const JsonObject o(j, "config.json");
  EXPECT_EQ(o.get<int>("r"), 8);
  EXPECT_EQ(o.get<int64_t>("whole"), 4);  // integral floats are integers
  EXPECT_DOUBLE_EQ(o.get<double>("alpha"), 16.5);
  EXPECT_DOUBLE_EQ(o.get<double>("r"), 8.0);  // ints are numbers
  EXPECT_EQ(o.get<std::string>("name"), "x");
  EXPECT_TRUE(o.get<bool>("flag"));
  EXPECT_EQ(o.get<std::vector<std::string>>("list"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.get<std::vector<int64_t>>("ints"), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(o.has("nothing"));
  EXPECT_TRUE(o.is_null("nothing"));
  EXPECT_FALSE(o.is_null("r"));
  EXPECT_EQ(o.get_or<int>("nothing", 3), 3);
  EXPECT_EQ(o.get_or<int>("absent", 5), 5);
  EXPECT_EQ(o.get_or<int>("r", 5), 8);
  EXPECT_FALSE(o.get_optional<std::string>("absent").has_value());
  EXPECT_FALSE(o.get_optional<std::string>("nothing").has_value());
  EXPECT_EQ(o.get_optional<std::string>("name"), "x");
  EXPECT_EQ(o.object("sub").get<int>("k"), 1);
  EXPECT_EQ(o.object("sub").source(), "config.json: sub");
}

TEST(JsonObjectTest, MissingFieldNamesFileAndField) {
  const Json j = Json::object();
  const JsonObject o(j, "adapter_config.json");
  expect_message([&] { o.get<int>("target_r"); },
                 "adapter_config.json: target_r: required field is missing");
}

TEST(JsonObjectTest, WrongTypesNameFileFieldExpectedAndGot) {
  const Json j = Json::parse(
      R"({"r": "8", "flag": 1, "frac": 2.5, "name": 3, "list": [1], "sub": {"k": true}, "n": false})");
  const JsonObject o(j, "config.json");
  expect_message([&] { o.get<int>("r"); }, "config.json: r: expected an integer, got \"8\"");
  expect_message([&] { o.get<bool>("flag"); }, "config.json: flag: expected a boolean, got 1");
  expect_message([&] { o.get<int>("frac"); }, "config.json: frac: expected an integer, got 2.5");
  expect_message([&] { o.get<int>("n"); }, "config.json: n: expected an integer, got false");
  expect_message([&] { o.get<double>("n"); }, "config.json: n: expected a number, got false");
  expect_message([&] { o.get<std::string>("name"); },
                 "config.json: name: expected a string, got 3");
  expect_message([&] { o.get<std::vector<std::string>>("list"); },
                 "config.json: list: expected a list of strings, got [1]");
  expect_message([&] { o.object("sub").get<int>("k"); },
                 "config.json: sub: k: expected an integer, got true");
  expect_message([&] { o.get_or<int>("r", 1); }, "config.json: r: expected an integer, got \"8\"");
  expect_message([&] { o.object("r"); }, "config.json: r: expected a JSON object, got string");
}

// Found by fuzz/json_fuzzer.cpp (fuzz/regressions/json/): {"a": 1e300} read as an integer was
// undefined behaviour (a float → int64 cast out of range); integers outside the type wrapped.
TEST(JsonObjectTest, IntegersOutsideTheTypeAreErrorsNotUndefinedBehaviour) {
  const Json j = Json::parse(
      R"({"huge": 1e300, "tiny": -1e300, "edge": 9223372036854775808.0, "big": 3000000000, "neg": -1,)"
      R"( "u64": 18446744073709551615, "four": 4.0, "max": 9223372036854775807})");
  const JsonObject o(j, "config.json");
  expect_message([&] { o.get<int64_t>("huge"); },
                 "config.json: huge: expected an integer in [-9223372036854775808, 9223372036854775807], got 1e+300");
  expect_json_error([&] { o.get<int64_t>("tiny"); }, "config.json: tiny: expected an integer in", "got -1e+300");
  expect_json_error([&] { o.get<int64_t>("edge"); }, "config.json: edge: expected an integer in", "9.223372036854776e+18");
  expect_json_error([&] { o.get<int>("big"); }, "config.json: big: expected an integer in [-2147483648, 2147483647]",
               "3000000000");
  expect_json_error([&] { o.get<uint64_t>("neg"); }, "config.json: neg: expected an integer in [0, ", "got -1");
  expect_json_error([&] { o.get<int64_t>("u64"); }, "config.json: u64: expected an integer in", "18446744073709551615");
  EXPECT_EQ(o.get<uint64_t>("u64"), 18446744073709551615u);
  EXPECT_EQ(o.get<int64_t>("four"), 4);
  EXPECT_EQ(o.get<int64_t>("max"), 9223372036854775807);
}

}  // namespace
}  // namespace adalora::io
