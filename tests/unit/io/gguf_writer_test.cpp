// The GGUF writer against the spec (ggml/docs/gguf.md, version 3): the exact bytes of a tiny file
// written out by hand, a round trip through the independent reader of tests/support, alignment of
// every tensor, and the errors for what ggml cannot hold.
#include "adalora/io/gguf_writer.h"

#include <gtest/gtest.h>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "tests/support/gguf_reader.h"
#include "tests/support/golden.h"

namespace adalora::io {
namespace {

std::string le(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

TEST(GgufWriterTest, TinyFileHasTheSpecsByteLayout) {
  GgufWriter w;
  w.add_string("general.type", "adapter");
  w.add_float32("adapter.lora.alpha", 16.0f);
  w.add_tensor("t", torch::tensor({1.0f, -2.0f, 0.5f, 4.0f, 8.0f, 0.25f}).view({2, 3}), GgmlType::F32);

  std::string expected = "GGUF" + le(3, 4) + le(1, 8) + le(2, 8);
  expected += le(12, 8) + "general.type" + le(8, 4) + le(7, 8) + "adapter";
  expected += le(18, 8) + "adapter.lora.alpha" + le(6, 4) + le(0x41800000, 4);  // 16.0f
  expected += le(1, 8) + "t" + le(2, 4) + le(3, 8) + le(2, 8) + le(0, 4) + le(0, 8);  // ne [3, 2], F32, offset 0
  expected.resize(((expected.size() + 31) / 32) * 32, '\0');
  for (uint32_t bits : {0x3f800000u, 0xc0000000u, 0x3f000000u, 0x40800000u, 0x41000000u, 0x3e800000u}) {
    expected += le(bits, 4);  // row-major: row 0 = 1, -2, 0.5
  }
  expected.resize(((expected.size() + 31) / 32) * 32, '\0');
  EXPECT_EQ(w.serialize(), expected);
}

TEST(GgufWriterTest, RoundTripsMetadataAndAlignedTensors) {
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_uint32("general.file_type", 1);
  w.add_int32("x.int", -7);
  w.add_bool("x.flag", true);
  w.add_string_array("x.tokens", {"<s>", "é", ""});
  w.add_float32_array("x.scores", {0.5f, -1.0f});
  w.add_int32_array("x.types", {1, 3});
  torch::manual_seed(0);
  const auto a = torch::randn({5, 3});      // 60 bytes → next offset 64
  const auto b = torch::randn({2, 3, 7});   // F16
  const auto c = torch::randn({4});
  w.add_tensor("blk.0.attn_q.weight.lora_a", a, GgmlType::F32);
  w.add_tensor("b", b, GgmlType::F16);
  w.add_tensor("c", c, GgmlType::F32);
  testing::TempDir dir;
  w.write(dir.file("x.gguf"));
  const auto f = testing::parse_gguf(read_file(dir.file("x.gguf")));

  EXPECT_EQ(f.keys, (std::vector<std::string>{"general.architecture", "general.file_type", "x.int", "x.flag",
                                               "x.tokens", "x.scores", "x.types"}));
  EXPECT_EQ(f.kv.at("general.architecture").str, "llama");
  EXPECT_EQ(f.kv.at("general.file_type").type, 4u);
  EXPECT_EQ(f.kv.at("x.int").number, -7);
  EXPECT_EQ(f.kv.at("x.flag").type, 7u);
  EXPECT_EQ(f.kv.at("x.tokens").strings, (std::vector<std::string>{"<s>", "é", ""}));
  EXPECT_EQ(f.kv.at("x.scores").numbers, (std::vector<double>{0.5, -1.0}));
  EXPECT_EQ(f.kv.at("x.types").element_type, 5u);
  EXPECT_EQ(f.tensor_names, (std::vector<std::string>{"blk.0.attn_q.weight.lora_a", "b", "c"}));
  EXPECT_EQ(f.data_start % 32, 0u);
  EXPECT_EQ(f.tensors.at("blk.0.attn_q.weight.lora_a").offset, 0u);
  EXPECT_EQ(f.tensors.at("b").offset, 64u);
  EXPECT_EQ(f.tensors.at("c").offset, 64u + 96u);  // 84 F16 bytes padded to 96
  EXPECT_EQ(f.tensors.at("b").ne, (std::vector<uint64_t>{7, 3, 2}));
  EXPECT_TRUE(torch::equal(f.tensors.at("blk.0.attn_q.weight.lora_a").value, a));
  EXPECT_TRUE(torch::equal(f.tensors.at("b").value, b.to(torch::kFloat16).to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal(f.tensors.at("c").value, c));
}

TEST(GgufWriterTest, RefusesWhatGgmlCannotHold) {
  GgufWriter w;
  w.add_tensor("a", torch::zeros({2}), GgmlType::F32);
  EXPECT_THROW(w.add_tensor("a", torch::zeros({2}), GgmlType::F32), Error);
  EXPECT_THROW(w.add_tensor(std::string(64, 'n'), torch::zeros({2}), GgmlType::F32), Error);
  EXPECT_THROW(w.add_tensor("five", torch::zeros({1, 1, 1, 1, 1}), GgmlType::F32), Error);
  EXPECT_THROW(w.add_tensor("ints", torch::zeros({2}, torch::kInt64), GgmlType::F32), Error);
  w.add_string("k", "v");
  EXPECT_THROW(w.add_uint32("k", 1), Error);
}

}  // namespace
}  // namespace adalora::io
