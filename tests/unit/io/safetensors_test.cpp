// Tests of io/safetensors: one test per malformation the reader must reject (each checks that the
// message starts with the file and names the problem), round trips for every dtype, HF's writer
// layout (byte-exact against the golden files), and checkpoints (single file, sharded, .bin-only).
#include "adalora/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "tests/support/golden.h"

namespace adalora::io {
namespace {

using adalora::testing::TempDir;
using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// 8-byte little-endian length + header + data, exactly as given (no padding).
std::string raw_file(const std::string& header, const std::string& data = "") {
  const uint64_t n = header.size();
  return std::string(reinterpret_cast<const char*>(&n), 8) + header + data;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Runs `f`, expects an Error whose message starts with `prefix` and contains every part.
template <typename F>
void expect_error(F&& f, const std::string& prefix, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected adalora::Error mentioning " << ::testing::PrintToString(parts);
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << "message does not start with " << prefix << ": " << msg;
    for (const auto& part : parts) {
      EXPECT_NE(msg.find(part), std::string::npos) << "missing \"" << part << "\" in: " << msg;
    }
  }
}

/// Writes `bytes` to a fresh file and expects SafetensorsFile::open to reject it.
void expect_open_error(const std::string& bytes, const std::vector<std::string>& parts) {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  write_bytes(path, bytes);
  expect_error([&] { SafetensorsFile::open(path); }, path, parts);
}

const std::string kF32Entry = R"("dtype":"F32","shape":[2,3])";  // 24 bytes

// ---- malformed files ------------------------------------------------------------------------

TEST(SafetensorsReaderTest, RejectsFileShorterThanLengthField) {
  expect_open_error("", {"expected at least 8 bytes", "got 0 bytes"});
  expect_open_error(std::string("\x10\0\0", 3), {"expected at least 8 bytes", "got 3 bytes"});
}

TEST(SafetensorsReaderTest, RejectsHeaderLengthBeyondFile) {
  std::string bytes = raw_file("{}");
  bytes[0] = 100;  // claims 100 header bytes, has 2
  expect_open_error(bytes, {"header length", "expected at most 2", "got 100", "truncated"});
}

TEST(SafetensorsReaderTest, RejectsAbsurdHeaderLength) {
  const uint64_t n = 200'000'000;
  expect_open_error(std::string(reinterpret_cast<const char*>(&n), 8) + "{}",
                    {"header length", "at most 100000000", "got 200000000"});
  const uint64_t huge = UINT64_MAX;
  expect_open_error(std::string(reinterpret_cast<const char*>(&huge), 8), {"header length"});
}

TEST(SafetensorsReaderTest, RejectsInvalidJson) {
  expect_open_error(raw_file("{\"a\": "), {"header: invalid JSON"});
  expect_open_error(raw_file("{\"a\":\"\xff\"}"), {"header: invalid JSON"});  // not UTF-8
  // Found by fuzzing (as fuzz/regressions/json/): out_of_range escaped the parse as a crash.
  expect_open_error(raw_file("{\"a\": 1e400}"), {"header: invalid JSON", "number overflow"});
}

TEST(SafetensorsReaderTest, RejectsHeaderThatIsNotAnObject) {
  expect_open_error(raw_file("[1,2]   "), {"header: expected a JSON object, got array"});
}

TEST(SafetensorsReaderTest, RejectsEntryMissingDtype) {
  expect_open_error(raw_file(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                    {"tensor \"w\"", "dtype: required field is missing"});
}

TEST(SafetensorsReaderTest, RejectsEntryMissingShape) {
  expect_open_error(raw_file(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", std::string(8, '\0')),
                    {"tensor \"w\"", "shape: required field is missing"});
}

TEST(SafetensorsReaderTest, RejectsEntryMissingDataOffsets) {
  expect_open_error(raw_file(R"({"w":{"dtype":"F32","shape":[2]}})", std::string(8, '\0')),
                    {"tensor \"w\"", "data_offsets: required field is missing"});
}

TEST(SafetensorsReaderTest, RejectsEntryThatIsNotAnObject) {
  expect_open_error(raw_file(R"({"w":[1,2]})"),
                    {"tensor \"w\"", "expected an object", "got [1,2]"});
}

TEST(SafetensorsReaderTest, RejectsWrongJsonTypes) {
  const std::string data(24, '\0');
  expect_open_error(raw_file(R"({"w":{"dtype":4,"shape":[2,3],"data_offsets":[0,24]}})", data),
                    {"tensor \"w\"", "dtype: expected a string, got 4"});
  expect_open_error(raw_file(R"({"w":{"dtype":"F32","shape":"2x3","data_offsets":[0,24]}})", data),
                    {"tensor \"w\"", "shape: expected a list of integers"});
  expect_open_error(
      raw_file(R"({"w":{"dtype":"F32","shape":[2.0,3],"data_offsets":[0,24]}})", data),
      {"tensor \"w\"", "shape: expected non-negative integers"});
  expect_open_error(raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[0]}}", data),
                    {"tensor \"w\"", "data_offsets: expected [begin, end]", "got [0]"});
  expect_open_error(raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[0,\"24\"]}}", data),
                    {"tensor \"w\"", "data_offsets: expected [begin, end]"});
  expect_open_error(raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[-8,16]}}", data),
                    {"tensor \"w\"", "data_offsets: expected [begin, end]"});
}

TEST(SafetensorsReaderTest, RejectsUnknownDtype) {
  expect_open_error(
      raw_file(R"({"w":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", std::string(4, '\0')),
      {"tensor \"w\"", "dtype: expected one of F64", "got \"U16\""});
  expect_open_error(
      raw_file(R"({"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0')),
      {"got \"f32\""});
}

TEST(SafetensorsReaderTest, RejectsNegativeShape) {
  expect_open_error(raw_file(R"({"w":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,24]}})",
                             std::string(24, '\0')),
                    {"tensor \"w\"", "shape: expected non-negative integers", "got [2,-3]"});
}

TEST(SafetensorsReaderTest, RejectsSizeMismatch) {
  expect_open_error(
      raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[0,20]}}", std::string(20, '\0')),
      {"tensor \"w\"", "expected 24 bytes for shape [2,3] of F32", "got 20"});
}

TEST(SafetensorsReaderTest, RejectsShapeWhoseByteSizeOverflows) {
  // 2^32 · 2^32 · 4 overflows 64 bits; a naive product would wrap around to 0 == end − begin.
  expect_open_error(
      raw_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})"),
      {"tensor \"w\"", "overflows"});
}

TEST(SafetensorsReaderTest, RejectsOffsetsOutOfRangeOfDataSection) {
  expect_open_error(raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[0,24]}}",
                             std::string(16, '\0')),  // truncated data
                    {"tensor \"w\"", "expected end <= 16", "got 24", "truncated"});
}

TEST(SafetensorsReaderTest, RejectsBeginAfterEnd) {
  expect_open_error(
      raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[24,0]}}", std::string(24, '\0')),
      {"tensor \"w\"", "expected begin <= end", "[24,0]"});
}

TEST(SafetensorsReaderTest, RejectsOverlappingTensors) {
  const std::string header = "{\"a\":{" + kF32Entry + ",\"data_offsets\":[0,24]},\"b\":{" +
                             kF32Entry + ",\"data_offsets\":[16,40]}}";
  expect_open_error(raw_file(header, std::string(40, '\0')),
                    {"tensor \"b\"", "expected begin 24", "got 16", "overlaps tensor \"a\""});
}

TEST(SafetensorsReaderTest, RejectsGapBetweenTensors) {
  const std::string header = "{\"a\":{" + kF32Entry + ",\"data_offsets\":[0,24]},\"b\":{" +
                             kF32Entry + ",\"data_offsets\":[32,56]}}";
  expect_open_error(raw_file(header, std::string(56, '\0')),
                    {"tensor \"b\"", "expected begin 24", "gap of 8 bytes after tensor \"a\""});
}

TEST(SafetensorsReaderTest, RejectsFirstTensorNotAtStartOfDataSection) {
  expect_open_error(
      raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[8,32]}}", std::string(32, '\0')),
      {"tensor \"w\"", "expected begin 0", "gap of 8 bytes"});
}

TEST(SafetensorsReaderTest, RejectsTrailingBytes) {
  expect_open_error(
      raw_file("{\"w\":{" + kF32Entry + ",\"data_offsets\":[0,24]}}", std::string(32, '\0')),
      {"data section", "expected 24 bytes", "got 32", "8 trailing bytes"});
  expect_open_error(raw_file("{}", "x"), {"1 trailing bytes"});
}

TEST(SafetensorsReaderTest, RejectsDuplicateNames) {
  const std::string header = "{\"w\":{" + kF32Entry + ",\"data_offsets\":[0,24]},\"w\":{" +
                             kF32Entry + ",\"data_offsets\":[24,48]}}";
  expect_open_error(raw_file(header, std::string(48, '\0')), {"\"w\": duplicate name"});
  expect_open_error(
      raw_file("{\"w\":{" + kF32Entry + ",\"dtype\":\"F32\",\"data_offsets\":[0,24]}}",
               std::string(24, '\0')),
      {"\"w\": duplicate key \"dtype\""});
}

TEST(SafetensorsReaderTest, RejectsMetadataThatIsNotAStringMap) {
  expect_open_error(raw_file(R"({"__metadata__":{"format":"pt","step":3}})"),
                    {"__metadata__: \"step\": expected a string, got 3"});
  expect_open_error(raw_file(R"({"__metadata__":["pt"]})"),
                    {"__metadata__: expected an object of strings"});
}

TEST(SafetensorsReaderTest, RejectsMissingFileAndDirectory) {
  TempDir dir;
  expect_error([&] { SafetensorsFile::open(dir.file("nope.safetensors")); },
               dir.file("nope.safetensors"), {"cannot open"});
  expect_error([&] { SafetensorsFile::open(dir.path()); }, dir.path(), {"expected a regular file"});
}

TEST(SafetensorsReaderTest, UnknownTensorNameIsAnError) {
  TempDir dir;
  save_safetensors(dir.file("a.safetensors"), {{"w", torch::ones({2})}});
  const auto file = SafetensorsFile::open(dir.file("a.safetensors"));
  EXPECT_FALSE(file.contains("v"));
  expect_error([&] { file.info("v"); }, dir.file("a.safetensors"), {"tensor \"v\" not found"});
  expect_error([&] { file.view("v"); }, dir.file("a.safetensors"), {"tensor \"v\" not found"});
}

// ---- valid files ----------------------------------------------------------------------------

TEST(SafetensorsReaderTest, AcceptsHeaderKeysInAnyOrderAndListsNamesInOffsetOrder) {
  // HF's reader sorts entries by offset; key order in the JSON is irrelevant.
  const std::string header = "{\"b\":{" + kF32Entry + ",\"data_offsets\":[24,48]},\"a\":{" +
                             kF32Entry +
                             ",\"data_offsets\":[0,24]},\"z\":{\"dtype\":\"I8\","
                             "\"shape\":[0],\"data_offsets\":[48,48]}}";
  std::string data(48, '\0');
  const float one = 1.0f;
  std::memcpy(&data[24], &one, 4);  // b[0][0] = 1
  TempDir dir;
  write_bytes(dir.file("x.safetensors"), raw_file(header, data));
  const auto file = SafetensorsFile::open(dir.file("x.safetensors"));
  EXPECT_EQ(file.names(), (std::vector<std::string>{"a", "b", "z"}));
  EXPECT_EQ(file.info("b").begin, 24u);
  EXPECT_EQ(file.view("b")[0][0].item<float>(), 1.0f);
  EXPECT_EQ(file.view("a").sum().item<float>(), 0.0f);
}

TEST(SafetensorsReaderTest, UnalignedDataIsCopiedNotAliased) {
  // A 9-byte header puts the data section at byte 17: misaligned for F32.
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string data(8, '\0');
  const float values[2] = {1.5f, -2.0f};
  std::memcpy(data.data(), values, 8);
  TempDir dir;
  write_bytes(dir.file("u.safetensors"), raw_file(header + " ", data));
  const auto file = SafetensorsFile::open(dir.file("u.safetensors"));
  const torch::Tensor v = file.view("w");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data_ptr()) % 4, 0u);
  EXPECT_TRUE(torch::equal(v, torch::tensor({1.5f, -2.0f})));
}

TEST(SafetensorsReaderTest, ViewIsZeroCopyAndKeepsTheMappingAlive) {
  TempDir dir;
  save_safetensors(dir.file("m.safetensors"), {{"w", torch::arange(6, torch::kFloat32)}});
  torch::Tensor view;
  {
    const auto file = SafetensorsFile::open(dir.file("m.safetensors"));
    view = file.view("w");
    EXPECT_EQ(view.data_ptr(), file.view("w").data_ptr());  // both alias the mapping
    EXPECT_NE(view.data_ptr(), file.load("w").data_ptr());
  }
  std::filesystem::remove(dir.file("m.safetensors"));
  EXPECT_TRUE(torch::equal(view, torch::arange(6, torch::kFloat32)));
}

TEST(SafetensorsReaderTest, LoadConvertsDtypeAndOwnsItsMemory) {
  TempDir dir;
  save_safetensors(dir.file("m.safetensors"), {{"w", torch::tensor({1.25f, 2.5f})}});
  const auto file = SafetensorsFile::open(dir.file("m.safetensors"));
  const torch::Tensor t = file.load("w", torch::kFloat64);
  EXPECT_EQ(t.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(t, torch::tensor({1.25, 2.5}, torch::kFloat64)));
  torch::Tensor owned = file.load("w");
  owned.add_(1);  // writable, unlike a view
  EXPECT_TRUE(torch::equal(file.view("w"), torch::tensor({1.25f, 2.5f})));
}

TEST(SafetensorsRoundTripTest, EveryDtype) {
  const auto base = torch::tensor({-3.0, -0.5, 0.0, 1.0, 2.5, 100.0}).reshape({2, 3});
  Tensors tensors;
  for (auto type : {torch::kFloat64, torch::kFloat32, torch::kFloat16, torch::kBFloat16,
                    torch::kInt64, torch::kInt32, torch::kInt16, torch::kInt8}) {
    tensors.emplace_back(c10::toString(type), base.to(type));
  }
  tensors.emplace_back("u8", torch::tensor({0, 7, 255}, torch::kInt64).to(torch::kUInt8));
  tensors.emplace_back("bool", torch::tensor({true, false, true}));
  TempDir dir;
  save_safetensors(dir.file("all.safetensors"), tensors);
  const auto file = SafetensorsFile::open(dir.file("all.safetensors"));
  ASSERT_EQ(file.names().size(), tensors.size());
  for (const auto& [name, expected] : tensors) {
    SCOPED_TRACE(name);
    EXPECT_EQ(file.info(name).dtype, safetensors_dtype_name(expected.scalar_type()));
    EXPECT_EQ(scalar_type_from_safetensors(file.info(name).dtype), expected.scalar_type());
    const torch::Tensor loaded = file.load(name);
    EXPECT_EQ(loaded.scalar_type(), expected.scalar_type());
    EXPECT_TRUE(torch::equal(loaded, expected));
    EXPECT_TRUE(torch::equal(file.view(name), expected));
  }
}

TEST(SafetensorsRoundTripTest, ZeroSizeScalarAndNonContiguousTensors) {
  const auto matrix = torch::arange(12, torch::kFloat32).reshape({3, 4});
  const Tensors tensors = {{"empty", torch::zeros({0, 3})},
                           {"empty_i8", torch::zeros({0}, torch::kInt8)},
                           {"scalar", torch::tensor(7.0)},
                           {"transposed", matrix.t()}};
  TempDir dir;
  save_safetensors(dir.file("z.safetensors"), tensors);
  const auto file = SafetensorsFile::open(dir.file("z.safetensors"));
  EXPECT_EQ(file.info("empty").shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(file.info("empty").begin, file.info("empty").end);
  EXPECT_EQ(file.view("empty").sizes(), torch::IntArrayRef({0, 3}));
  EXPECT_EQ(file.view("empty_i8").numel(), 0);
  EXPECT_EQ(file.view("scalar").dim(), 0);
  EXPECT_EQ(file.view("scalar").item<double>(), 7.0);
  EXPECT_TRUE(torch::equal(file.load("transposed"), matrix.t().contiguous()));
}

TEST(SafetensorsRoundTripTest, Metadata) {
  TempDir dir;
  const std::map<std::string, std::string> metadata = {{"format", "pt"},
                                                       {"note", "a \"quoted\" é"}};
  save_safetensors(dir.file("m.safetensors"), {{"w", torch::ones({1})}}, metadata);
  EXPECT_EQ(SafetensorsFile::open(dir.file("m.safetensors")).metadata(), metadata);
  save_safetensors(dir.file("n.safetensors"), {{"w", torch::ones({1})}});
  EXPECT_TRUE(SafetensorsFile::open(dir.file("n.safetensors")).metadata().empty());
}

// ---- writer layout --------------------------------------------------------------------------

std::string header_of(const std::string& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return bytes.substr(8, n);
}

TEST(SafetensorsWriterTest, CompactJsonMetadataFirstPaddedToEightBytes) {
  const std::string bytes =
      serialize_safetensors({{"a", torch::zeros({2, 3})}}, {{"format", "pt"}});
  const std::string json =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  const std::string header = header_of(bytes);
  EXPECT_EQ(header.size() % 8, 0u);
  EXPECT_EQ(header, json + std::string(header.size() - json.size(), ' '));
  EXPECT_LT(header.size() - json.size(), 8u);
  EXPECT_EQ(bytes.size(), 8 + header.size() + 24);
  // No metadata, no "__metadata__"; the empty file matches the Rust crate's test_empty.
  EXPECT_EQ(serialize_safetensors({}), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
}

TEST(SafetensorsWriterTest, SortsByDtypeOrderThenNameLikeHf) {
  // The crate sorts by its Dtype enum descending: size first, then I64 > F64, F32 > I32,
  // BF16 > F16 > I16, I8 > U8 > BOOL; names ascending bytewise within one dtype.
  const Tensors tensors = {
      {"bool", torch::zeros({1}, torch::kBool)},
      {"u8", torch::zeros({1}, torch::kUInt8)},
      {"i8", torch::zeros({1}, torch::kInt8)},
      {"i16", torch::zeros({1}, torch::kInt16)},
      {"f16", torch::zeros({1}, torch::kFloat16)},
      {"bf16", torch::zeros({1}, torch::kBFloat16)},
      {"i32", torch::zeros({1}, torch::kInt32)},
      {"f32_b", torch::zeros({1})},
      {"F32_a", torch::zeros({1})},
      {"f64", torch::zeros({1}, torch::kFloat64)},
      {"i64", torch::zeros({1}, torch::kInt64)},
  };
  TempDir dir;
  save_safetensors(dir.file("o.safetensors"), tensors);
  EXPECT_EQ(SafetensorsFile::open(dir.file("o.safetensors")).names(),
            (std::vector<std::string>{"i64", "f64", "F32_a", "f32_b", "i32", "bf16", "f16", "i16",
                                      "i8", "u8", "bool"}));
  // Input order does not matter.
  Tensors reversed(tensors.rbegin(), tensors.rend());
  EXPECT_EQ(serialize_safetensors(reversed), serialize_safetensors(tensors));
}

TEST(SafetensorsWriterTest, RejectsDuplicateNamesAndKeepsTheOldFile) {
  TempDir dir;
  const std::string path = dir.file("d.safetensors");
  save_safetensors(path, {{"w", torch::ones({2})}});
  const std::string before = read_file(path);
  expect_error(
      [&] {
        save_safetensors(path, {{"w", torch::ones({2})}, {"w", torch::zeros({2})}});
      },
      path, {"tensor \"w\": duplicate name"});
  EXPECT_EQ(read_file(path), before);
  expect_error(
      [&] {
        serialize_safetensors({{"a", torch::ones({1})}, {"a", torch::ones({1})}});
      },
      "serialize_safetensors", {"tensor \"a\": duplicate name"});
}

TEST(SafetensorsWriterTest, RejectsUnsupportedDtypesAndReservedName) {
  expect_error(
      [] {
        serialize_safetensors({{"c", torch::zeros({1}, torch::kComplexFloat)}});
      },
      "serialize_safetensors", {"tensor \"c\"", "dtype", "ComplexFloat"});
  expect_error(
      [] {
        serialize_safetensors({{"__metadata__", torch::zeros({1})}});
      },
      "serialize_safetensors", {"reserved"});
  expect_error(
      [] {
        serialize_safetensors({{"bad\xff", torch::zeros({1})}});
      },
      "serialize_safetensors", {"valid UTF-8"});
  EXPECT_THROW(safetensors_dtype_name(torch::kComplexDouble), Error);
  EXPECT_THROW(scalar_type_from_safetensors("F8_E4M3"), Error);
}

// ---- byte-exact against HF-written golden files ---------------------------------------------

std::string reserialize(const SafetensorsFile& file) {
  Tensors tensors;
  for (const auto& name : file.names()) tensors.emplace_back(name, file.view(name));
  std::reverse(tensors.begin(), tensors.end());  // the writer must restore the order itself
  return serialize_safetensors(tensors, file.metadata());
}

TEST(SafetensorsGoldenTest, SavedAdapterRoundTripsByteForByte) {
  ADALORA_REQUIRE_GOLDEN("adalora");
  for (const char* sub : {"adalora/saved_adapter_float64/adapter_model.safetensors",
                          "adalora/saved_adapter_float32/adapter_model.safetensors"}) {
    const std::string path = adalora::testing::golden_path(sub);
    if (std::string(sub).find("float64") != std::string::npos) {
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
    } else if (!std::filesystem::exists(path)) {
      continue;
    }
    SCOPED_TRACE(path);
    const auto file = SafetensorsFile::open(path);
    EXPECT_FALSE(file.names().empty());
    EXPECT_EQ(reserialize(file), read_file(path));
  }
}

TEST(SafetensorsGoldenTest, ModelFilesRoundTripByteForByte) {
  ADALORA_REQUIRE_GOLDEN("models");
  int checked = 0;
  for (const auto& name : adalora::testing::golden_cases("models", "model.safetensors")) {
    for (const char* file_name : {"model.safetensors", "io.safetensors"}) {
      const std::string path = adalora::testing::golden_path("models/" + name + "/" + file_name);
      if (!std::filesystem::exists(path)) continue;
      SCOPED_TRACE(path);
      EXPECT_EQ(reserialize(SafetensorsFile::open(path)), read_file(path));
      ++checked;
    }
  }
  EXPECT_GT(checked, 0) << "no model.safetensors found under "
                        << adalora::testing::golden_path("models");
}

// ---- checkpoints ----------------------------------------------------------------------------

TEST(CheckpointTest, OpensDirectoryWithModelSafetensorsOrTheFileItself) {
  TempDir dir;
  save_safetensors(dir.file("model.safetensors"),
                   {{"b", torch::ones({2})}, {"a", torch::zeros({3})}});
  for (const std::string& path : {dir.path(), dir.file("model.safetensors")}) {
    const auto ckpt = Checkpoint::open(path);
    EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(ckpt.file_of("a"), dir.file("model.safetensors"));
    EXPECT_TRUE(torch::equal(ckpt.load("b"), torch::ones({2})));
    EXPECT_EQ(ckpt.info("a").shape, (std::vector<int64_t>{3}));
    EXPECT_FALSE(ckpt.contains("c"));
    expect_error([&] { ckpt.view("c"); }, dir.file("model.safetensors"),
                 {"tensor \"c\" not found"});
  }
}

void write_index(const std::string& path, const std::string& weight_map) {
  write_bytes(path, R"({"metadata":{"total_size":20},"weight_map":)" + weight_map + "}");
}

TEST(CheckpointTest, OpensShardedCheckpointThroughItsIndex) {
  TempDir dir;
  save_safetensors(dir.file("model-00001-of-00002.safetensors"),
                   {{"x.weight", torch::ones({2, 2})}, {"x.bias", torch::zeros({2})}});
  save_safetensors(dir.file("model-00002-of-00002.safetensors"),
                   {{"y.weight", torch::full({1}, 3.0)}});
  write_index(
      dir.file("model.safetensors.index.json"),
      R"({"x.weight":"model-00001-of-00002.safetensors","x.bias":"model-00001-of-00002.safetensors",)"
      R"("y.weight":"model-00002-of-00002.safetensors"})");
  const auto ckpt = Checkpoint::open(dir.path());
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"x.bias", "x.weight", "y.weight"}));
  EXPECT_EQ(ckpt.file_of("y.weight"), dir.file("model-00002-of-00002.safetensors"));
  EXPECT_EQ(ckpt.load("y.weight", torch::kFloat64).item<double>(), 3.0);
  EXPECT_TRUE(torch::equal(ckpt.view("x.weight"), torch::ones({2, 2})));
  EXPECT_EQ(Checkpoint::open(dir.file("model.safetensors.index.json")).names(), ckpt.names());
}

TEST(CheckpointTest, IndexNamingMissingShardIsAnError) {
  TempDir dir;
  const std::string index = dir.file("model.safetensors.index.json");
  write_index(index, R"({"x.weight":"model-00001-of-00002.safetensors"})");
  expect_error([&] { Checkpoint::open(dir.path()); }, index,
               {"weight_map", "tensor \"x.weight\"", "shard \"model-00001-of-00002.safetensors\"",
                "not found"});
}

TEST(CheckpointTest, IndexNamingTensorAbsentFromShardIsAnError) {
  TempDir dir;
  save_safetensors(dir.file("shard.safetensors"), {{"x.weight", torch::ones({1})}});
  const std::string index = dir.file("model.safetensors.index.json");
  write_index(index, R"({"x.weight":"shard.safetensors","y.weight":"shard.safetensors"})");
  expect_error([&] { Checkpoint::open(dir.path()); }, index,
               {"tensor \"y.weight\"", "shard \"shard.safetensors\"", "does not contain it"});
}

TEST(CheckpointTest, MalformedIndexIsAnError) {
  TempDir dir;
  const std::string index = dir.file("model.safetensors.index.json");
  write_bytes(index, R"({"metadata":{}})");
  expect_error([&] { Checkpoint::open(index); }, index, {"weight_map", "missing"});
  write_index(index, R"(["a"])");
  expect_error([&] { Checkpoint::open(index); }, index, {"weight_map: expected an object"});
  write_index(index, R"({"a":3})");
  expect_error([&] { Checkpoint::open(index); }, index,
               {"tensor \"a\"", "expected a shard file name"});
  write_bytes(index, "{");
  expect_error([&] { Checkpoint::open(index); }, index, {"invalid JSON"});
}

TEST(CheckpointTest, BinOnlyDirectoryExplainsHowToConvert) {
  TempDir dir;
  write_bytes(dir.file("pytorch_model.bin"), "PK\x03\x04");
  expect_error([&] { Checkpoint::open(dir.path()); }, dir.path(),
               {"pytorch_model.bin", "not read", "safe_serialization=True", "save_pretrained"});
}

TEST(CheckpointTest, EmptyDirectoryListsWhatWasLookedFor) {
  TempDir dir;
  expect_error([&] { Checkpoint::open(dir.path()); }, dir.path(),
               {"model.safetensors", "model.safetensors.index.json"});
  expect_error([&] { Checkpoint::open(dir.file("missing")); }, dir.file("missing"),
               {"no such file"});
}

}  // namespace
}  // namespace adalora::io
