// GenerationConfig: HF's defaults, the fields read from generation_config.json / config.json,
// and every refusal naming file and field.
#include "adalora/generation/generation_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/golden.h"

namespace adalora::generation {
namespace {

GenerationConfig parse(const io::Json& j) { return parse_generation_config(io::JsonObject(j, "g.json")); }

std::string error_of(const io::Json& j) {
  try {
    parse(j);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(GenerationConfigTest, DefaultsAreHfs) {
  GenerationConfig c = parse(io::Json::object());
  EXPECT_EQ(c.max_length, 20);
  EXPECT_FALSE(c.max_new_tokens);
  EXPECT_EQ(c.num_beams, 1);
  EXPECT_EQ(c.top_k, 50);
  EXPECT_EQ(c.top_p, 1.0);
  EXPECT_EQ(c.early_stopping, EarlyStopping::False);
  EXPECT_TRUE(c.eos_token_id.empty());
  EXPECT_TRUE(c.use_cache);
}

TEST(GenerationConfigTest, ReadsFieldsIntOrListEosAndEarlyStopping) {
  GenerationConfig c = parse({{"max_new_tokens", 8},       {"num_beams", 4},
                              {"early_stopping", "never"}, {"eos_token_id", {2, 7}},
                              {"pad_token_id", 1},         {"forced_eos_token_id", 2},
                              {"length_penalty", 0.5},     {"no_repeat_ngram_size", 3},
                              {"decoder_start_token_id", 2}, {"bad_words_ids", nullptr}});
  EXPECT_EQ(*c.max_new_tokens, 8);
  EXPECT_EQ(c.num_beams, 4);
  EXPECT_EQ(c.early_stopping, EarlyStopping::Never);
  EXPECT_EQ(c.eos_token_id, (std::vector<int64_t>{2, 7}));
  EXPECT_EQ(*c.pad_token_id, 1);
  EXPECT_EQ(c.forced_eos_token_id, (std::vector<int64_t>{2}));
  EXPECT_EQ(c.length_penalty, 0.5);
  EXPECT_EQ(*c.decoder_start_token_id, 2);
  EXPECT_EQ(parse({{"early_stopping", true}}).early_stopping, EarlyStopping::True);
}

TEST(GenerationConfigTest, ErrorsNameFileAndField) {
  EXPECT_NE(error_of({{"early_stopping", "sometimes"}}).find("g.json: early_stopping: expected true, false or \"never\""),
            std::string::npos);
  EXPECT_NE(error_of({{"top_k", "x"}}).find("g.json: top_k: expected an integer"), std::string::npos);
  EXPECT_NE(error_of({{"num_beam_groups", 2}}).find("g.json: num_beam_groups"), std::string::npos);
  EXPECT_NE(error_of({{"num_beams", 2}, {"num_return_sequences", 3}}).find("num_return_sequences"),
            std::string::npos);
  EXPECT_NE(error_of({{"temperature", 0.0}}).find("g.json: temperature: expected > 0"),
            std::string::npos);
  EXPECT_NE(error_of({{"top_p", 1.5}}).find("g.json: top_p"), std::string::npos);
  EXPECT_NE(error_of({{"do_sample", true}, {"num_beams", 2}}).find("num_beams"), std::string::npos);
  // "Off" values of unimplemented options are accepted.
  EXPECT_EQ(error_of({{"num_beam_groups", 1}, {"diversity_penalty", 0.0}, {"typical_p", 1.0}}), "");
}

TEST(GenerationConfigTest, LoadsGenerationConfigJsonElseConfigJson) {
  testing::TempDir dir;
  std::ofstream(dir.file("config.json")) << R"({"model_type": "gpt2", "eos_token_id": 5, "max_length": 30})";
  EXPECT_EQ(load_generation_config(dir.path()).eos_token_id, (std::vector<int64_t>{5}));
  EXPECT_EQ(load_generation_config(dir.path()).max_length, 30);
  std::ofstream(dir.file("generation_config.json")) << R"({"eos_token_id": [1, 2]})";
  GenerationConfig c = load_generation_config(dir.path());
  EXPECT_EQ(c.eos_token_id, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(c.max_length, 20);  // HF reads generation_config.json alone when it exists
  std::ofstream(dir.file("generation_config.json")) << R"({"num_beams": "four"})";
  try {
    load_generation_config(dir.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("generation_config.json: num_beams: expected an integer"),
              std::string::npos)
        << e.what();
  }
}

TEST(GenerationConfigTest, ResolveLengthsGivesMaxNewTokensPrecedence) {
  GenerationConfig c;
  c.max_length = 50, c.max_new_tokens = 8, c.min_new_tokens = 3;
  GenerationConfig r = resolve_lengths(c, 6);
  EXPECT_EQ(r.max_length, 14);
  EXPECT_EQ(r.min_length, 9);
}

}  // namespace
}  // namespace adalora::generation
