// `adalora generate` on the golden generative models: reproduces HF's greedy (gpt2) and beam
// (bart) outputs for an unpadded golden prompt; bad input lines and over-long prompts exit with
// code 2 and a message naming file, line and field.
#include <gtest/gtest.h>

#include <fstream>

#include "adalora/io/safetensors.h"
#include "tests/e2e/cli_runner.h"
#include "tests/support/golden.h"

namespace adalora {
namespace {

using testing::run_cli;

// Row `row` of gen.input_ids of a golden case, checked to be unpadded.
std::vector<int64_t> golden_prompt(const std::string& dir, int64_t row) {
  const auto io = io::SafetensorsFile::open(dir + "/io.safetensors");
  const torch::Tensor mask = io.load("gen.attention_mask")[row];
  EXPECT_TRUE(mask.eq(1).all().item<bool>()) << dir << ": row " << row << " is padded";
  const torch::Tensor ids = io.load("gen.input_ids")[row].contiguous();
  return {ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel()};
}

std::vector<int64_t> tail(const io::Json& sequence, size_t skip) {
  std::vector<int64_t> all = sequence.get<std::vector<int64_t>>();
  return {all.begin() + static_cast<std::ptrdiff_t>(skip), all.end()};
}

TEST(CliGenerateTest, ReproducesGoldenGreedyAndBeamOutputs) {
  ADALORA_REQUIRE_GOLDEN("models");
  testing::TempDir tmp;
  {
    const std::string dir = testing::golden_path("models/gpt2");
    const io::Json spec = io::load_json_file(dir + "/case.json");
    const auto prompt = golden_prompt(dir, 0);
    std::ofstream(tmp.file("gpt2.jsonl")) << io::Json{{"input_ids", prompt}}.dump() << "\n";
    auto r = run_cli("generate --model " + dir + " --input " + tmp.file("gpt2.jsonl") +
                     " --max-new-tokens 8");
    ASSERT_EQ(r.code, 0) << r.output;
    const io::Json line = testing::last_json_line(r.output);
    EXPECT_EQ(line.at("ids").get<std::vector<int64_t>>(),
              tail(spec["generation"]["greedy"]["sequences"][0], prompt.size()))
        << r.output;
  }
  {
    const std::string dir = testing::golden_path("models/bart");
    const io::Json spec = io::load_json_file(dir + "/case.json");
    const auto prompt = golden_prompt(dir, 0);
    std::ofstream(tmp.file("bart.jsonl")) << io::Json{{"input_ids", prompt}}.dump() << "\n";
    auto r = run_cli("generate --model " + dir + " --input " + tmp.file("bart.jsonl") +
                     " --num-beams 4 --max-length 12");
    ASSERT_EQ(r.code, 0) << r.output;
    const io::Json line = testing::last_json_line(r.output);
    const io::Json& beam = spec["generation"]["beam4"];
    EXPECT_EQ(line.at("ids").get<std::vector<int64_t>>(), tail(beam["sequences"][0], 1)) << r.output;
    EXPECT_NEAR(line.at("score").get<double>(), beam["sequences_scores"][0].get<double>(), 4e-5);
  }
}

TEST(CliGenerateTest, BadInputExitsWithCode2NamingFileLineAndFieldGolden) {
  ADALORA_REQUIRE_GOLDEN("models");
  testing::TempDir tmp;
  const std::string model = testing::golden_path("models/gpt2");
  std::ofstream(tmp.file("bad.jsonl")) << "{\"input_ids\": [1, 2]}\n{\"prompt\": 1}\n";
  auto r = run_cli("generate --model " + model + " --input " + tmp.file("bad.jsonl"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(tmp.file("bad.jsonl") + ":2: expected a \"text\" or \"input_ids\" field"),
            std::string::npos)
      << r.output;

  std::ofstream(tmp.file("range.jsonl")) << "{\"input_ids\": [1, 100000]}\n";
  r = run_cli("generate --model " + model + " --input " + tmp.file("range.jsonl"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(":1: input_ids: expected ids in [0, 256), got 100000"), std::string::npos)
      << r.output;

  std::vector<int64_t> long_prompt(5000, 1);
  std::ofstream(tmp.file("long.jsonl")) << io::Json{{"input_ids", long_prompt}}.dump() << "\n";
  r = run_cli("generate --model " + model + " --input " + tmp.file("long.jsonl"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("max_position_embeddings: expected a prompt of at most"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace adalora
