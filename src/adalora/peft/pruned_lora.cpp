#include "adalora/peft/pruned_lora.h"

#include <array>
#include <map>

#include "adalora/core/error.h"
#include "adalora/peft/adalora/budget_schedule.h"
#include "adalora/peft/adalora/importance.h"
#include "adalora/peft/adapter_files.h"

namespace adalora::peft {
namespace {

// AdaLoRA's config with the schedule's fields, for its validation rules.
AdaLoraConfig schedule_config(const PrunedLoraConfig& c) {
  AdaLoraConfig s;
  s.init_r = c.lora.r;
  s.target_r = c.target_r;
  s.tinit = c.tinit;
  s.tfinal = c.tfinal;
  s.deltaT = c.deltaT;
  s.total_step = c.total_step;
  s.beta1 = c.beta1;
  s.beta2 = c.beta2;
  s.lora_dropout = c.lora.lora_dropout;
  s.targets = c.lora.targets;
  return s;
}

struct Doublets {
  std::string path;
  std::shared_ptr<LoraAdapter> adapter;
  bool fan_in_fan_out = false;
  std::array<ImportanceState, 2> state;  // A, B
  torch::Tensor keep;                     // [r] bool; undefined until the first mask
};

class PrunedLoraMethod : public Method {
 public:
  PrunedLoraMethod(MethodPtr lora, PrunedLoraConfig config, std::vector<Doublets> matrices)
      : lora_(std::move(lora)), config_(std::move(config)), matrices_(std::move(matrices)) {
    int64_t init_bgt = 0;
    for (const auto& m : matrices_) init_bgt += rank_of(m);
    schedule_ = BudgetSchedule{init_bgt, config_.target_r * static_cast<int64_t>(matrices_.size()),
                               config_.tinit, config_.tfinal, config_.deltaT, config_.total_step};
  }

  const char* name() const override { return "pruned_lora"; }
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override { return lora_->trainable(); }
  void merge() override { lora_->merge(); }
  void unmerge() override { lora_->unmerge(); }

  StepReport after_optimizer_step(int64_t step) override {
    const BudgetSchedule::Point point = schedule_.at(step);
    StepReport report;
    report.budget = point.budget;
    switch (schedule_.action(step)) {
      case AllocatorAction::UpdateImportance:
        update_importance();
        break;
      case AllocatorAction::UpdateImportanceAndMask:
        update_importance();
        report.masked = mask_to_budget(point.budget);
        break;
      case AllocatorAction::ForceMaskAndReset:
        report.masked = mask_to_budget(point.budget);
        for (auto& m : matrices_) m.state = {};
        break;
      case AllocatorAction::ApplyRankPattern:
        break;
    }
    apply_masks();  // pruned doublets stay exactly zero whatever the optimizer's momentum does
    report.total_rank = total_rank();
    return report;
  }

  void save(const std::string& dir) const override {
    LoraConfig saved = config_.lora;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& m : matrices_) {
      saved.fan_in_fan_out |= m.fan_in_fan_out;
      torch::Tensor A = m.adapter->lora_A->weight.detach(), B = m.adapter->lora_B->weight.detach();
      const int64_t r = A.size(0);
      if (m.keep.defined()) {
        auto rows = m.keep.nonzero().view(-1);
        if (rows.numel() == 0) rows = torch::zeros({1}, rows.options());  // one zero doublet
        A = A.index_select(0, rows) * m.keep.index_select(0, rows).unsqueeze(1).to(A.dtype());
        B = B.index_select(1, rows) * m.keep.index_select(0, rows).unsqueeze(0).to(B.dtype());
      }
      const int64_t kept = A.size(0);
      if (kept != r) {
        saved.rank_pattern[m.path] = kept;
        saved.alpha_pattern[m.path] = m.adapter->scaling * static_cast<double>(kept);  // α_k / r_k = α / r
      }
      tensors.emplace_back(m.path + ".lora_A.weight", A);
      tensors.emplace_back(m.path + ".lora_B.weight", B);
    }
    for (const auto& [name, t] : lora_->trainable()) {
      if (name.find(".lora_A.weight") == std::string::npos && name.find(".lora_B.weight") == std::string::npos) {
        tensors.emplace_back(name, t);
      }
    }
    write_adapter_files(dir, saved.to_peft_json(), tensors);
  }

  int64_t kept_parameter_count() const override {
    int64_t n = trainable_parameter_count();
    for (const auto& m : matrices_) {
      const auto& a = m.adapter->lora_A->weight;
      const auto& b = m.adapter->lora_B->weight;
      n -= (rank_of(m) - kept_rank(m)) * (a.size(1) + b.size(0));
    }
    return n;
  }

  // Exact resume: the importance EMAs and the keep masks (as 0/1 floats).
  std::vector<std::pair<std::string, torch::Tensor>> state_tensors() const override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& m : matrices_) {
      for (int t = 0; t < 2; ++t) {
        const auto& s = m.state[t];
        if (!s.defined()) continue;
        const std::string base = m.path + (t == 0 ? ".lora_A" : ".lora_B") + ".";
        out.emplace_back(base + "ipt", s.ipt);
        out.emplace_back(base + "exp_avg_ipt", s.exp_avg_ipt);
        out.emplace_back(base + "exp_avg_unc", s.exp_avg_unc);
      }
      if (m.keep.defined()) out.emplace_back(m.path + ".keep", m.keep.to(torch::kFloat32));
    }
    return out;
  }
  void load_state(const std::map<std::string, torch::Tensor>& tensors, const io::Json&) override {
    for (auto& m : matrices_) {
      for (int t = 0; t < 2; ++t) {
        const std::string base = m.path + (t == 0 ? ".lora_A" : ".lora_B") + ".";
        const auto ipt = tensors.find(base + "ipt");
        if (ipt == tensors.end()) {
          m.state[t] = {};
          continue;
        }
        const auto avg = tensors.find(base + "exp_avg_ipt");
        const auto unc = tensors.find(base + "exp_avg_unc");
        ADALORA_CHECK(avg != tensors.end() && unc != tensors.end(), "pruned_lora state: ", base,
                      "{exp_avg_ipt,exp_avg_unc}: expected with ", base, "ipt, missing");
        m.state[t] = ImportanceState{ipt->second.clone(), avg->second.clone(), unc->second.clone()};
      }
      const auto keep = tensors.find(m.path + ".keep");
      m.keep = keep == tensors.end() ? torch::Tensor() : keep->second.to(m.adapter->lora_A->weight.device()).gt(0.5);
    }
  }

  /// Kept doublets over all matrices.
  int64_t total_rank() const {
    int64_t total = 0;
    for (const auto& m : matrices_) total += kept_rank(m);
    return total;
  }

 private:
  static int64_t rank_of(const Doublets& m) { return m.adapter->lora_A->weight.size(0); }
  static int64_t kept_rank(const Doublets& m) {
    return m.keep.defined() ? m.keep.sum().item<int64_t>() : rank_of(m);
  }

  void update_importance() {
    for (auto& m : matrices_) {
      const torch::Tensor* params[2] = {&m.adapter->lora_A->weight, &m.adapter->lora_B->weight};
      for (int t = 0; t < 2; ++t) {
        const auto& grad = params[t]->grad();
        ADALORA_CHECK(grad.defined(), "pruned_lora: ", m.path, t == 0 ? ".lora_A" : ".lora_B",
                      " has no gradient; call after backward() and optimizer.step(), before zero_grad()");
        peft::update_importance(m.state[t], *params[t], grad, config_.beta1, config_.beta2);
      }
    }
  }

  // Scores of every doublet, matrices concatenated: [Σ r_k].
  torch::Tensor doublet_scores() const {
    std::vector<torch::Tensor> parts;
    for (const auto& m : matrices_) {
      ADALORA_CHECK(m.state[0].defined(), "pruned_lora: no importance scores yet for \"", m.path, "\"");
      auto score_a = element_score(m.state[0], config_.score).mean(/*dim=*/1);  // A [r, in] → [r]
      auto score_b = element_score(m.state[1], config_.score).mean(/*dim=*/0);  // B [out, r] → [r]
      parts.push_back(score_a + score_b);
    }
    return torch::cat(parts);
  }

  bool mask_to_budget(int64_t budget) {
    torch::NoGradGuard no_grad;
    const auto scores = doublet_scores();
    const int64_t k = schedule_.init_bgt - budget;
    if (k < 1) return false;
    ADALORA_CHECK(k <= scores.size(0), "pruned_lora: cannot prune to budget ", budget, ": k = ", k,
                  " exceeds the ", scores.size(0), " doublets");
    const auto threshold = std::get<0>(torch::kthvalue(scores, k));
    const auto keep = scores > threshold;  // ties at the threshold are pruned, as AdaLoRA
    int64_t offset = 0;
    for (auto& m : matrices_) {
      const int64_t r = rank_of(m);
      m.keep = keep.narrow(0, offset, r).clone();
      offset += r;
    }
    return true;
  }

  void apply_masks() {
    torch::NoGradGuard no_grad;
    for (auto& m : matrices_) {
      if (!m.keep.defined()) continue;
      m.adapter->lora_A->weight.masked_fill_(m.keep.logical_not().unsqueeze(1), 0.0);  // rows of A
      m.adapter->lora_B->weight.masked_fill_(m.keep.logical_not().unsqueeze(0), 0.0);  // columns of B
    }
  }

  MethodPtr lora_;
  PrunedLoraConfig config_;
  std::vector<Doublets> matrices_;
  BudgetSchedule schedule_;
};

}  // namespace

void PrunedLoraConfig::validate(const std::string& where) const {
  lora.validate();
  schedule_config(*this).validate(where);
  ADALORA_CHECK(score != ImportanceScore::Magnitude, where,
                ": importance_score: expected ipt or sensitivity (LoRA has no λ for \"magnitude\")");
}

PrunedLoraConfig PrunedLoraConfig::from_json(const io::Json& json, const std::string& source) {
  PrunedLoraConfig c;
  c.lora = LoraConfig::from_peft_json(json, source);
  io::JsonObject o(json, source);
  c.target_r = o.get_or<int64_t>("target_r", c.target_r);
  c.tinit = o.get_or<int64_t>("tinit", c.tinit);
  c.tfinal = o.get_or<int64_t>("tfinal", c.tfinal);
  c.deltaT = o.get_or<int64_t>("deltaT", c.deltaT);
  c.total_step = o.get_or<int64_t>("total_step", c.total_step);
  c.beta1 = o.get_or<double>("beta1", c.beta1);
  c.beta2 = o.get_or<double>("beta2", c.beta2);
  if (o.has("importance_score")) c.score = importance_score_from_string(o.get<std::string>("importance_score"));
  return c;
}

MethodPtr attach_pruned_lora(torch::nn::Module& model, const PrunedLoraConfig& config) {
  config.validate("pruned_lora config");
  ADALORA_CHECK(config.lora.rank_pattern.empty(), "pruned_lora config: rank_pattern: expected none (the ranks are "
                "what pruning decides)");
  MethodPtr lora = attach_lora(model, config.lora);
  TargetSpec spec = config.lora.targets;
  spec.modules_to_save = config.lora.modules_to_save;
  std::vector<Doublets> matrices;
  for (auto& [path, layer] : find_targets(model, spec)) {
    Doublets d;
    d.path = path;
    d.adapter = layer->adapter_as<LoraAdapter>();
    d.fan_in_fan_out = layer->options().fan_in_fan_out;
    matrices.push_back(std::move(d));
  }
  return std::make_unique<PrunedLoraMethod>(std::move(lora), config, std::move(matrices));
}

MethodPtr make_pruned_lora(torch::nn::Module& model, const io::Json& config, int64_t total_step) {
  PrunedLoraConfig c = PrunedLoraConfig::from_json(config, "pruned_lora config");
  if (!config.contains("total_step") || config.at("total_step").is_null()) c.total_step = total_step;
  return attach_pruned_lora(model, c);
}

}  // namespace adalora::peft
