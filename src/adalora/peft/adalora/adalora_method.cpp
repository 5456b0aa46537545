#include "adalora/peft/adalora/adalora_method.h"

#include "adalora/peft/adalora/orth_reg.h"

namespace adalora::peft {
namespace {

class AdaLoraMethod : public Method {
 public:
  explicit AdaLoraMethod(AdaLora adalora, bool loaded = false)
      : adalora_(std::move(adalora)), loaded_(loaded) {}

  const char* name() const override { return adalora_.config().budget_allocation ? "adalora" : "svd_lora"; }
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override {
    return adalora_.named_parameters();
  }
  torch::Tensor add_regularizer(const torch::Tensor& loss) const override {
    return adalora_.add_regularizer(loss);
  }
  StepReport after_optimizer_step(int64_t step) override {
    if (loaded_) return {};  // an already pruned adapter: its pattern is fixed
    const AllocationResult r = adalora_.update_and_allocate(step);
    adalora_.set_global_step(step + 1);
    StepReport report;
    report.budget = r.budget;
    report.masked = r.masked;
    report.total_rank = adalora_.allocator().total_rank();
    report.log_values = [this] {
      std::vector<std::shared_ptr<SvdAdapter>> adapters;
      for (const auto& m : adalora_.matrices()) adapters.push_back(m.adapter);
      const OrthogonalityDeviation d = orthogonality_deviation(adapters);
      return std::map<std::string, double>{{"orth_P", d.p}, {"orth_Q", d.q}};
    };
    return report;
  }
  void save(const std::string& dir) const override { adalora_.save(dir); }
  std::vector<std::pair<std::string, torch::Tensor>> state_tensors() const override {
    return adalora_.allocator().state_tensors();
  }
  io::Json state_json() const override {
    io::Json j = io::Json::object();
    io::Json pattern = io::Json::object();
    for (const auto& [k, bits] : adalora_.allocator().rank_pattern()) pattern[k] = bits;
    j["rank_pattern"] = pattern;
    j["global_step"] = adalora_.global_step();
    return j;
  }
  void load_state(const std::map<std::string, torch::Tensor>& tensors, const io::Json& json) override {
    adalora_.allocator().load_state_tensors(tensors);
    RankPattern pattern;
    if (json.contains("rank_pattern")) {
      for (const auto& [k, bits] : json.at("rank_pattern").items()) pattern[k] = bits.get<std::vector<bool>>();
    }
    if (!pattern.empty()) adalora_.allocator().set_rank_pattern(pattern);
    if (json.contains("global_step")) adalora_.set_global_step(json.at("global_step").get<int64_t>());
  }
  int64_t kept_parameter_count() const override {
    int64_t adapters = 0;  // at their current tensor size (init_r until a compaction)
    for (const auto& m : adalora_.matrices()) {
      adapters += m.adapter->lora_A.numel() + m.adapter->lora_E.numel() + m.adapter->lora_B.numel();
    }
    return adalora_.trainable_parameter_count() - adapters + adalora_.pruned_adapter_parameter_count();
  }
  void merge() override { adalora_.merge(); }
  void unmerge() override { adalora_.unmerge(); }

  AdaLora& handle() { return adalora_; }

 private:
  AdaLora adalora_;
  bool loaded_ = false;
};

}  // namespace

MethodPtr attach_adalora(torch::nn::Module& model, const AdaLoraConfig& config) {
  return std::make_unique<AdaLoraMethod>(AdaLora::attach(model, config));
}

MethodPtr make_adalora(torch::nn::Module& model, const io::Json& config, int64_t total_step) {
  io::Json j = config;
  j["peft_type"] = "ADALORA";
  if (!j.contains("total_step") || j.at("total_step").is_null()) j["total_step"] = total_step;
  if (j.contains("importance_score")) j["adalora_importance_score"] = j.at("importance_score");
  if (j.contains("orth_reg_form")) j["adalora_orth_reg_form"] = j.at("orth_reg_form");
  return attach_adalora(model, AdaLoraConfig::from_peft_json(j, "adalora config"));
}

MethodPtr load_adalora_method(torch::nn::Module& model, const std::string& dir) {
  return std::make_unique<AdaLoraMethod>(AdaLora::load(model, dir), /*loaded=*/true);
}

AdaLora* as_adalora(Method& method) {
  auto* m = dynamic_cast<AdaLoraMethod*>(&method);
  return m ? &m->handle() : nullptr;
}

}  // namespace adalora::peft
