// `export --to gguf`: the llama.cpp LoRA adapter of a tiny LLaMA (grouped-query: 4 heads, 2
// key/value heads), read back with the spec reader of tests/support/gguf_reader.h and checked
// against what llama.cpp computes from it: per tensor pair, ΔW = lora_b · lora_a · alpha / r
// (llama.cpp's scale, r = lora_b's ne[0]) with the q/k rows un-permuted must equal the update our
// model merges (merge() − base) for LoRA with rank/alpha patterns and for a trained AdaLoRA.
// The rotary permutation itself is checked against the two rope definitions.
#include "adalora/train/export_gguf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"
#include "adalora/models/llama_gguf.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/adapter_loader.h"
#include "adalora/peft/lora.h"
#include "tests/support/error_text.h"
#include "tests/support/gguf_reader.h"
#include "tests/support/golden.h"
#include "tests/support/tiny_models.h"

namespace adalora::train {
namespace {

constexpr int64_t kHeads = 4, kKvHeads = 2, kHeadDim = 8;

using testing::error_of;

void write_config(const std::string& dir, const io::Json& json) {
  io::write_file_atomic(dir + "/config.json", json.dump(2));
}

models::ModelPtr tiny_llama() { return testing::tiny_decoder("llama", models::TaskHead::CausalLM, 5); }

// The update of every adapted weight: merged − base (our merge is PEFT's merge_and_unload).
std::map<std::string, torch::Tensor> merged_updates(const std::string& adapter_dir) {
  auto model = tiny_llama();
  auto method = peft::load_adapter(*model, adapter_dir);
  std::map<std::string, torch::Tensor> before;
  for (const auto& p : model->named_parameters()) before[p.key()] = p.value().detach().clone();
  method->merge();
  std::map<std::string, torch::Tensor> updates;
  for (const auto& p : model->named_parameters()) {
    const auto it = before.find(p.key());
    if (it == before.end() || p.key().find("lora_") != std::string::npos) continue;
    const auto d = p.value().detach() - it->second;
    if (d.abs().max().item<double>() > 0) updates[p.key()] = d;
  }
  return updates;
}

// Inverse of convert_hf_to_gguf's LlamaModel.permute on rows.
torch::Tensor unpermute_rows(const torch::Tensor& rows, int64_t heads) {
  const int64_t n = rows.size(0);
  return rows.reshape({heads, n / heads / 2, 2, -1}).transpose(1, 2).reshape(rows.sizes()).contiguous();
}

std::string hf_weight_of(const std::string& gguf_name) {  // blk.1.attn_k.weight → model.layers.1.self_attn.k_proj.weight
  static const std::map<std::string, std::string> names = {
      {"attn_q", "self_attn.q_proj"}, {"attn_k", "self_attn.k_proj"}, {"attn_v", "self_attn.v_proj"},
      {"attn_output", "self_attn.o_proj"}, {"ffn_gate", "mlp.gate_proj"}, {"ffn_up", "mlp.up_proj"},
      {"ffn_down", "mlp.down_proj"}};
  const auto first = gguf_name.find('.'), second = gguf_name.find('.', first + 1);
  const std::string block = gguf_name.substr(first + 1, second - first - 1);
  const std::string kind = gguf_name.substr(second + 1, gguf_name.find(".weight") - second - 1);
  return "model.layers." + block + "." + names.at(kind) + ".weight";
}

// What llama.cpp adds to each weight: lora_b · lora_a · scale, q/k rows back in HF order.
void expect_llama_cpp_updates_equal(const testing::GgufFile& f, const std::map<std::string, torch::Tensor>& updates,
                                    double tolerance) {
  const double alpha = f.kv.at("adapter.lora.alpha").number;
  size_t pairs = 0;
  for (const auto& name : f.tensor_names) {
    if (name.size() < 7 || name.substr(name.size() - 7) != ".lora_a") continue;
    const std::string base = name.substr(0, name.size() - 7);
    const auto& a = f.tensors.at(name);              // ne [in, r]
    const auto& b = f.tensors.at(base + ".lora_b");  // ne [r, out]
    ASSERT_EQ(a.ne[1], b.ne[0]) << base << ": lora_a must be stored transposed (llama-adapter.cpp)";
    const double r = static_cast<double>(b.ne[0]);
    auto B = b.value.to(torch::kFloat64);  // [out, r]
    if (base.find(".attn_q.") != std::string::npos) B = unpermute_rows(B, kHeads);
    if (base.find(".attn_k.") != std::string::npos) B = unpermute_rows(B, kKvHeads);
    const auto delta = torch::matmul(B, a.value.to(torch::kFloat64)) * (alpha != 0 ? alpha / r : 1.0);
    const std::string hf = hf_weight_of(base);
    ASSERT_TRUE(updates.count(hf)) << base << " → " << hf << " is not adapted";
    const double diff = (delta - updates.at(hf).to(torch::kFloat64)).abs().max().item<double>();
    EXPECT_LT(diff, tolerance) << base;
    ++pairs;
  }
  EXPECT_EQ(pairs, updates.size()) << "every adapted weight has its lora_a / lora_b pair";
}

testing::GgufFile read_gguf(const std::string& path) { return testing::parse_gguf(io::read_file(path)); }

struct LoraCase {
  testing::TempDir dir;
  std::string adapter() const { return dir.path() + "/adapter"; }
  std::string gguf() const { return dir.path() + "/adapter.gguf"; }
};

// LoRA r 4 on all seven projections, k_proj at rank 2 (rank_pattern), down_proj with α 3.
void make_lora(const LoraCase& c) {
  auto model = tiny_llama();
  peft::LoraConfig config;
  config.r = 4;
  config.lora_alpha = 8;
  config.targets.names = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  config.rank_pattern = {{"k_proj", 2}};
  config.alpha_pattern = {{"down_proj", 3}};
  config.task_type = "CAUSAL_LM";
  auto method = peft::attach_lora(*model, config);
  torch::NoGradGuard no_grad;
  torch::manual_seed(11);
  for (auto& [name, t] : method->trainable()) t.add_(torch::randn_like(t) * 0.3);
  method->save(c.adapter());
  write_config(c.dir.path(), model->config().json());
}

TEST(ExportGgufTest, LoraMetadataNamesAndShapesAreLlamaCpps) {
  LoraCase c;
  make_lora(c);
  const auto s = export_adapter_as_gguf(c.adapter(), c.dir.path(), c.gguf());
  EXPECT_EQ(s.architecture, "llama");
  EXPECT_EQ(s.modules, 14);
  EXPECT_EQ(s.rescaled_modules, 2);  // the two down_proj with their own α
  const auto f = read_gguf(c.gguf());
  EXPECT_EQ(f.version, 3u);
  EXPECT_EQ(f.kv.at("general.architecture").str, "llama");
  EXPECT_EQ(f.kv.at("general.type").str, "adapter");
  EXPECT_EQ(f.kv.at("adapter.type").str, "lora");
  EXPECT_EQ(f.kv.at("adapter.lora.alpha").type, 6u);  // float32
  EXPECT_EQ(f.kv.at("adapter.lora.alpha").number, 8.0);
  ASSERT_EQ(f.tensors.size(), 28u);
  const auto& qa = f.tensors.at("blk.0.attn_q.weight.lora_a");
  const auto& qb = f.tensors.at("blk.0.attn_q.weight.lora_b");
  EXPECT_EQ(qa.ne, (std::vector<uint64_t>{32, 4}));              // [in, r]
  EXPECT_EQ(qb.ne, (std::vector<uint64_t>{4, kHeads * kHeadDim}));  // [r, out]
  EXPECT_EQ(f.tensors.at("blk.1.attn_k.weight.lora_b").ne, (std::vector<uint64_t>{2, kKvHeads * kHeadDim}));
  EXPECT_EQ(f.tensors.at("blk.1.ffn_down.weight.lora_a").ne, (std::vector<uint64_t>{64, 4}));
  EXPECT_EQ(f.tensors.at("blk.1.attn_output.weight.lora_b").ne, (std::vector<uint64_t>{4, 32}));
  for (const auto& [name, t] : f.tensors) EXPECT_EQ(t.type, 0u) << name;
}

TEST(ExportGgufTest, LoraUpdatesAreThoseLlamaCppApplies) {
  LoraCase c;
  make_lora(c);
  export_adapter_as_gguf(c.adapter(), c.dir.path(), c.gguf());
  expect_llama_cpp_updates_equal(read_gguf(c.gguf()), merged_updates(c.adapter()), 1e-5);
}

TEST(ExportGgufTest, F16StoresHalfPrecision) {
  LoraCase c;
  make_lora(c);
  export_adapter_as_gguf(c.adapter(), c.dir.path(), c.gguf(), {io::GgmlType::F16});
  const auto f = read_gguf(c.gguf());
  for (const auto& [name, t] : f.tensors) EXPECT_EQ(t.type, 1u) << name;
  EXPECT_EQ(f.kv.at("general.file_type").number, 1.0);  // MOSTLY_F16
  expect_llama_cpp_updates_equal(f, merged_updates(c.adapter()), 5e-2);
}

// A trained AdaLoRA (3 → 1 over 4 steps): per-module ranks, λ folded into lora_b, each module's
// scaling α/(init_r + 1e-5) kept although llama.cpp has one alpha for the file.
TEST(ExportGgufTest, AdaLoraGoesThroughLoraWithItsOwnScaling) {
  LoraCase c;
  auto model = tiny_llama();
  peft::AdaLoraConfig config;
  config.init_r = 3, config.target_r = 1, config.lora_alpha = 6;
  config.tinit = 1, config.tfinal = 1, config.deltaT = 1, config.total_step = 4;
  config.targets.names = {"q_proj", "k_proj", "v_proj", "down_proj"};
  auto adalora = peft::AdaLora::attach(*model, config);
  torch::optim::SGD optimizer(adalora.parameters(), torch::optim::SGDOptions(0.5));
  torch::manual_seed(3);
  const auto ids = torch::randint(0, 64, {2, 6});
  for (int step = 0; step < config.total_step; ++step) {
    models::ModelInputs in;
    in.input_ids = ids;
    in.labels = ids;
    adalora.add_regularizer(model->forward(in).loss).backward();
    adalora.step(optimizer);
  }
  adalora.save(c.adapter());
  write_config(c.dir.path(), model->config().json());

  const auto s = export_adapter_as_gguf(c.adapter(), c.dir.path(), c.gguf());
  const auto f = read_gguf(c.gguf());
  std::set<uint64_t> ranks;
  for (const auto& [name, t] : f.tensors) {
    if (name.find(".lora_b") != std::string::npos) ranks.insert(t.ne[0]);
  }
  EXPECT_GT(ranks.size(), 1u) << "the case must have modules of different kept ranks";
  EXPECT_GT(s.rescaled_modules, 0);
  expect_llama_cpp_updates_equal(f, merged_updates(c.adapter()), 1e-5);
}

TEST(ExportGgufTest, RotaryPermutationTurnsHfRopeIntoLlamaCppRope) {
  // HF rotate_half pairs (i, i + D/2); ggml's LLaMA rope (GGML_ROPE_TYPE_NORM) pairs (2i, 2i + 1),
  // both at θ_i = base^(−2i/D). Rotating then permuting must equal permuting then rotating.
  torch::manual_seed(0);
  const int64_t heads = 3, D = 8, pos = 5;
  const auto q = torch::randn({heads * D}, torch::kFloat64);
  auto hf = torch::empty_like(q), ggml = torch::empty_like(q);
  const auto p = models::llama_permute_rotary_rows(q.view({-1, 1}), heads).view({-1});
  for (int64_t h = 0; h < heads; ++h) {
    for (int64_t i = 0; i < D / 2; ++i) {
      const double theta = pos * std::pow(10000.0, -2.0 * i / D), c = std::cos(theta), s = std::sin(theta);
      const int64_t lo = h * D + i, hi = h * D + i + D / 2, even = h * D + 2 * i;
      hf[lo] = q[lo] * c - q[hi] * s;
      hf[hi] = q[hi] * c + q[lo] * s;
      ggml[even] = p[even] * c - p[even + 1] * s;
      ggml[even + 1] = p[even] * s + p[even + 1] * c;
    }
  }
  const auto hf_permuted = models::llama_permute_rotary_rows(hf.view({-1, 1}), heads).view({-1});
  EXPECT_LT((hf_permuted - ggml).abs().max().item<double>(), 1e-12);
  EXPECT_FALSE(torch::allclose(hf_permuted, hf)) << "the permutation must move rows";
}

TEST(ExportGgufTest, Qwen2IsNotPermutedAndMistralIsLlama) {
  auto qwen = testing::tiny_decoder_config_json("qwen2");
  auto mistral = testing::tiny_decoder_config_json("mistral");
  const auto q = models::llama_gguf_layout(io::HfConfig(qwen, "qwen2"), "--to gguf");
  const auto m = models::llama_gguf_layout(io::HfConfig(mistral, "mistral"), "--to gguf");
  EXPECT_EQ(q.architecture, "qwen2");
  EXPECT_FALSE(q.permute_qk);
  EXPECT_EQ(m.architecture, "llama");
  EXPECT_TRUE(m.permute_qk);
  EXPECT_EQ(models::llama_gguf_weight_name("model.layers.12.mlp.down_proj").value_or(""), "blk.12.ffn_down.weight");
  EXPECT_EQ(models::llama_gguf_weight_name("layers.0.self_attn.o_proj").value_or(""), "blk.0.attn_output.weight");
  EXPECT_EQ(models::llama_gguf_weight_name("lm_head").value_or(""), "output.weight");
  EXPECT_FALSE(models::llama_gguf_weight_name("model.layers.0.mlp.q_proj").has_value());
  EXPECT_FALSE(models::llama_gguf_weight_name("model.embed_tokens").has_value());
}

TEST(ExportGgufTest, RefusesNonLlamaModelsAndWhatLlamaCppCannotLoad) {
  LoraCase c;
  make_lora(c);
  testing::TempDir bert;
  write_config(bert.path(), testing::tiny_config_json("bert"));
  EXPECT_NE(error_of([&] { export_adapter_as_gguf(c.adapter(), bert.path(), c.gguf()); })
                .find("--to gguf: model_type bert: llama.cpp LoRA adapters are for LLaMA-family models"),
            std::string::npos);

  testing::TempDir smaller;  // an adapter for another base: the shapes do not fit
  auto other = tiny_llama()->config().json();
  other["intermediate_size"] = 48;
  write_config(smaller.path(), other);
  const auto shape_error = error_of([&] { export_adapter_as_gguf(c.adapter(), smaller.path(), c.gguf()); });
  EXPECT_NE(shape_error.find("adapter_model.safetensors: module \"model.layers.0.mlp.down_proj\": expected lora_A [r, 48]"),
            std::string::npos)
      << shape_error;
  EXPECT_FALSE(std::filesystem::exists(c.gguf())) << "nothing written on error";
}

TEST(ExportGgufTest, RefusesModulesToSaveAndATiedOutput) {
  LoraCase c;  // an lm_head adapter, exported for a base whose config ties the output to the embeddings
  auto model = tiny_llama();
  peft::LoraConfig config;
  config.targets.names = {"q_proj", "lm_head"};
  config.r = 2;
  auto method = peft::attach_lora(*model, config);
  method->save(c.adapter());
  auto tied_config = model->config().json();
  tied_config["tie_word_embeddings"] = true;
  write_config(c.dir.path(), tied_config);
  const auto tied = error_of([&] { export_adapter_as_gguf(c.adapter(), c.dir.path(), c.gguf()); });
  EXPECT_NE(tied.find("module \"lm_head\": the base ties it to the embeddings"), std::string::npos) << tied;

  LoraCase d;
  auto untied = tiny_llama();
  config.targets.names = {"q_proj"};
  config.modules_to_save = {"lm_head"};
  peft::attach_lora(*untied, config)->save(d.adapter());
  write_config(d.dir.path(), untied->config().json());
  const auto saved = error_of([&] { export_adapter_as_gguf(d.adapter(), d.dir.path(), d.gguf()); });
  EXPECT_NE(saved.find("llama.cpp LoRA adapters hold only lora_A / lora_B"), std::string::npos) << saved;
}

}  // namespace
}  // namespace adalora::train
