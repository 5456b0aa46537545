// The paper's setup on a random-initialised DeBERTaV3-base-shaped model: AdaLoRA on all six matrix
// types of every layer (Wq, Wk, Wv, Wo, Wf1, Wf2 = query_proj, key_proj, value_proj,
// attention.output.dense, intermediate.dense, output.dense), one forward/backward and optimizer step,
// and the parameter counts of the paper's tables (LoRA r = 8 on the same matrices ≈ 1.33M).
#include <gtest/gtest.h>

#include "adalora/models/model.h"
#include "adalora/peft/adalora/adalora.h"
#include "adalora/peft/lora.h"

namespace adalora {
namespace {

const char* kDebertaV3Base = R"({"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 768,
  "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512,
  "type_vocab_size": 0, "initializer_range": 0.02, "layer_norm_eps": 1e-7, "relative_attention": true,
  "max_relative_positions": -1, "position_buckets": 256, "norm_rel_ebd": "layer_norm",
  "share_att_key": true, "pos_att_type": "p2c|c2p", "position_biased_input": false, "pad_token_id": 0,
  "num_labels": 2})";

const std::vector<std::string> kSixMatrices = {"query_proj", "key_proj", "value_proj",
                                               "attention.output.dense", "intermediate.dense",
                                               "output.dense"};

TEST(DebertaV3BaseAdaLora, AllSixMatrixTypesTrainAndCountsMatchThePaper) {
  torch::manual_seed(0);
  io::HfConfig config(io::Json::parse(kDebertaV3Base), "deberta-v3-base preset");
  auto model = models::build_model(config, models::TaskHead::SequenceClassification);
  EXPECT_EQ(models::count_parameters(*model).total, 184423682);

  peft::AdaLoraConfig ada;
  ada.init_r = 12;
  ada.target_r = 8;
  ada.total_step = 100;
  ada.tinit = 10;
  ada.tfinal = 20;
  ada.targets.names = kSixMatrices;
  auto adalora = peft::AdaLora::attach(*model, ada);
  ASSERT_EQ(adalora.matrices().size(), 72u);  // 6 per layer × 12 layers, as the paper
  // Triplets at init_r = 12: Σ 12·(in + out + 1) over the 72 matrices.
  EXPECT_EQ(adalora.trainable_parameter_count(), 12 * 12 * (4 * (768 + 768 + 1) + 2 * (768 + 3072 + 1)));

  torch::optim::AdamW opt(adalora.parameters(), torch::optim::AdamWOptions(1e-3));
  model->train();
  models::ModelInputs in;
  in.input_ids = torch::randint(1, 128100, {2, 16}, torch::kInt64);
  in.attention_mask = torch::ones({2, 16}, torch::kInt64);
  in.labels = torch::tensor({0, 1}, torch::kInt64);
  auto out = model->forward(in);
  auto loss = adalora.add_regularizer(out.loss);
  loss.backward();
  for (const auto& m : adalora.matrices()) {
    ASSERT_TRUE(m.adapter->lora_A.grad().defined()) << m.name;
  }
  adalora.step(opt);
  EXPECT_EQ(adalora.global_step(), 1);
  EXPECT_TRUE(std::isfinite(loss.item<double>()));

  // LoRA r = 8 on the same matrices: 12 layers × (4·8·(768+768) + 2·8·(768+3072)) = 1,327,104.
  torch::manual_seed(0);
  auto model2 = models::build_model(config, models::TaskHead::SequenceClassification);
  peft::LoraConfig lora;
  lora.r = 8;
  lora.targets.names = kSixMatrices;
  auto method = peft::attach_lora(*model2, lora);
  EXPECT_EQ(method->trainable_parameter_count(), 1327104);
}

}  // namespace
}  // namespace adalora
