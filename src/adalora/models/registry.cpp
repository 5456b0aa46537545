#include "adalora/models/registry.h"

#include <set>

#include "adalora/core/error.h"

namespace adalora::models {

ModelPtr build_bart(const HfConfig& config, TaskHead head);        // models/bart.cpp
ModelPtr build_bert(const HfConfig& config, TaskHead head);        // models/bert.cpp
ModelPtr build_roberta(const HfConfig& config, TaskHead head);     // models/bert.cpp
ModelPtr build_deberta_v2(const HfConfig& config, TaskHead head);  // models/deberta_v2.cpp
ModelPtr build_gpt2(const HfConfig& config, TaskHead head);        // models/gpt2.cpp
ModelPtr build_llama(const HfConfig& config, TaskHead head);       // models/llama.cpp
ModelPtr build_mistral(const HfConfig& config, TaskHead head);     // models/llama.cpp
ModelPtr build_qwen2(const HfConfig& config, TaskHead head);       // models/llama.cpp

const std::vector<Architecture>& architectures() {
  static const std::vector<Architecture> table = [] {
    std::vector<Architecture> t = {
        // model_type    builder           default PEFT targets (PEFT's mapping)
        {"bart",         build_bart,       {"q_proj", "v_proj"}},
        {"bert",         build_bert,       {"query", "value"}},
        {"deberta-v2",   build_deberta_v2, {"query_proj", "value_proj"}},
        {"gpt2",         build_gpt2,       {"c_attn"}},
        {"llama",        build_llama,      {"q_proj", "v_proj"}},
        {"mistral",      build_mistral,    {"q_proj", "v_proj"}},
        {"qwen2",        build_qwen2,      {"q_proj", "v_proj"}},
        {"roberta",      build_roberta,    {"query", "value"}},
    };
    std::set<std::string> seen;
    for (const auto& a : t) {
      ADALORA_CHECK(a.build != nullptr, "models registry: ", a.model_type, " has no builder");
      ADALORA_CHECK(seen.insert(a.model_type).second, "models registry: ", a.model_type,
                    " is listed twice");
    }
    return t;
  }();
  return table;
}

const Architecture& find_architecture(const std::string& model_type, const std::string& source) {
  std::string names;
  for (const auto& a : architectures()) {
    if (a.model_type == model_type) return a;
    names += (names.empty() ? "" : ", ") + a.model_type;
  }
  throw Error(str_cat(source, ": model_type \"", model_type, "\" is not supported (supported: ",
                      names, ")"));
}

ModelPtr build_model(const HfConfig& config, TaskHead head) {
  return find_architecture(config.model_type(), config.source()).build(config, head);
}

}  // namespace adalora::models
