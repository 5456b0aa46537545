#include "adalora/peft/adalora/rank_allocator.h"

#include "adalora/core/error.h"

namespace adalora::peft {
namespace {

constexpr const char* kTensorNames[3] = {"lora_A", "lora_B", "lora_E"};
constexpr const char* kStateNames[3] = {"ipt", "exp_avg_ipt", "exp_avg_unc"};

std::string pattern_key(const std::string& module) { return module + ".lora_E"; }

}  // namespace

RankAllocator::RankAllocator(std::vector<AdaptedMatrix> matrices, const AdaLoraConfig& config)
    : matrices_(std::move(matrices)), config_(config) {
  ADALORA_CHECK(!matrices_.empty(), "RankAllocator: expected at least one adapted matrix, got none");
  config_.validate();
  int64_t init_bgt = 0;
  for (const auto& m : matrices_) {
    ADALORA_CHECK(m.adapter != nullptr, "RankAllocator: matrix \"", m.name, "\" has no adapter");
    init_bgt += m.adapter->rank();
  }
  schedule_ = BudgetSchedule{init_bgt,
                             config_.target_r * static_cast<int64_t>(matrices_.size()),
                             config_.tinit,
                             config_.tfinal,
                             config_.deltaT,
                             config_.total_step};
  state_.resize(matrices_.size());
  if (!config_.rank_pattern.empty()) set_rank_pattern(config_.rank_pattern);
}

void RankAllocator::update_importance() {
  for (size_t i = 0; i < matrices_.size(); ++i) {
    const auto& a = *matrices_[i].adapter;
    const torch::Tensor* params[3] = {&a.lora_A, &a.lora_B, &a.lora_E};
    for (int t = 0; t < 3; ++t) {
      const auto& grad = params[t]->grad();
      ADALORA_CHECK(grad.defined(), "RankAllocator: ", matrices_[i].name, ".", kTensorNames[t],
                    " has no gradient; call update_and_allocate after backward() and "
                    "optimizer.step(), before zero_grad()");
      peft::update_importance(state_[i][t], *params[t], grad, config_.beta1, config_.beta2);
    }
  }
}

torch::Tensor RankAllocator::matrix_scores(size_t i) const {
  const auto& a = *matrices_[i].adapter;
  if (config_.score == ImportanceScore::Magnitude) return a.lora_E.detach().abs().view(-1);
  const auto& s = state_[i];
  ADALORA_CHECK(s[0].defined(), "RankAllocator: no importance scores yet for \"", matrices_[i].name,
                "\" (mask requested before any update)");
  // Eq. (7): S_i = s(λ_i) + (mean_j s(Q_ij) + mean_j s(P_ji)), in PEFT's order of operations.
  auto score_a = element_score(s[0], config_.score).mean(/*dim=*/1, /*keepdim=*/true);  // [r, 1]
  auto score_b = element_score(s[1], config_.score).mean(/*dim=*/0).view({-1, 1});    // [r, 1]
  auto score_e = element_score(s[2], config_.score);                                  // [r, 1]
  return score_e.view(-1) + torch::cat({score_a, score_b}, 1).sum(1);
}

torch::Tensor RankAllocator::triplet_scores() const {
  std::vector<torch::Tensor> parts;
  parts.reserve(matrices_.size());
  for (size_t i = 0; i < matrices_.size(); ++i) parts.push_back(matrix_scores(i));
  return torch::cat(parts);
}

AllocationResult RankAllocator::mask_to_budget(int64_t budget) {
  torch::NoGradGuard no_grad;
  auto scores = triplet_scores();  // [n_triplets]
  const int64_t n = scores.size(0);
  const int64_t k = schedule_.init_bgt - budget;
  ADALORA_CHECK(k >= 1 && k <= n, "RankAllocator: cannot mask to budget ", budget, ": k = init_bgt − "
                "budget = ", k, " is outside [1, ", n, "] (is target_r < init_r?)");
  auto threshold = std::get<0>(torch::kthvalue(scores, k));  // 0-dim, an element of `scores`
  auto keep_all = scores > threshold;                          // ties at the threshold are pruned
  // The one host copy of a mask step (the rank pattern is kept on the host): [threshold, keep…]
  // in float64, which holds a float32/float64 threshold and 0/1 exactly.
  const auto host = torch::cat({threshold.reshape({1}).to(torch::kFloat64), keep_all.to(torch::kFloat64)})
                        .to(torch::kCPU);
  const double* values = host.data_ptr<double>();
  const std::vector<bool> bits(values + 1, values + 1 + n);
  RankPattern pattern;
  keep_masks_.assign(matrices_.size(), torch::Tensor());
  int64_t offset = 0;
  for (size_t i = 0; i < matrices_.size(); ++i) {
    auto& a = *matrices_[i].adapter;
    const int64_t r = a.rank();
    auto keep = keep_all.narrow(0, offset, r).view({-1, 1});
    a.lora_E.masked_fill_(keep.logical_not(), 0.0);
    keep_masks_[i] = keep;
    pattern[pattern_key(matrices_[i].name)] =
        std::vector<bool>(bits.begin() + offset, bits.begin() + offset + r);
    offset += r;
  }
  rank_pattern_ = std::move(pattern);
  AllocationResult result;
  result.budget = budget;
  result.masked = true;
  result.k = k;
  result.threshold = values[0];
  result.triplet_scores = scores;
  return result;
}

void RankAllocator::mask_using_rank_pattern() {
  ADALORA_CHECK(!keep_masks_.empty(), "RankAllocator: no rank pattern to apply (no mask has run)");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < matrices_.size(); ++i) {
    matrices_[i].adapter->lora_E.masked_fill_(keep_masks_[i].logical_not(), 0.0);
  }
}

void RankAllocator::reset_importance() {
  for (auto& s : state_) s = {};
}

AllocationResult RankAllocator::update_and_allocate(int64_t global_step) {
  const AllocatorAction action = schedule_.action(global_step);
  const BudgetSchedule::Point point = schedule_.at(global_step);
  AllocationResult result;
  switch (action) {
    case AllocatorAction::UpdateImportance:
      update_importance();
      break;
    case AllocatorAction::UpdateImportanceAndMask:
      update_importance();
      result = mask_to_budget(point.budget);
      break;
    case AllocatorAction::ForceMaskAndReset:
      // No importance update at T − tfinal: the scores of the previous step decide (reference §7).
      result = mask_to_budget(point.budget);
      reset_importance();
      break;
    case AllocatorAction::ApplyRankPattern:
      mask_using_rank_pattern();
      break;
  }
  result.step = global_step;
  result.action = action;
  result.budget = point.budget;
  result.mask_ind = point.mask_ind;
  return result;
}

void RankAllocator::set_rank_pattern(RankPattern pattern) {
  std::vector<torch::Tensor> masks(matrices_.size());
  for (size_t i = 0; i < matrices_.size(); ++i) {
    const auto key = pattern_key(matrices_[i].name);
    auto it = pattern.find(key);
    ADALORA_CHECK(it != pattern.end(), "rank_pattern: expected an entry \"", key, "\", none found");
    const auto& bits = it->second;
    ADALORA_CHECK(static_cast<int64_t>(bits.size()) == matrices_[i].adapter->rank(), "rank_pattern: \"",
                  key, "\": expected ", matrices_[i].adapter->rank(), " entries, got ", bits.size());
    std::vector<uint8_t> raw(bits.begin(), bits.end());
    masks[i] = torch::tensor(raw, torch::kUInt8).to(torch::kBool).view({-1, 1})
                   .to(matrices_[i].adapter->lora_E.device());
  }
  keep_masks_ = std::move(masks);
  rank_pattern_ = std::move(pattern);
}

std::vector<MatrixRank> RankAllocator::ranks() const {
  std::vector<MatrixRank> out;
  for (const auto& m : matrices_) {
    MatrixRank mr;
    mr.name = m.name;
    auto it = rank_pattern_.find(pattern_key(m.name));
    mr.mask = it != rank_pattern_.end() ? it->second : std::vector<bool>(m.adapter->rank(), true);
    mr.rank = std::count(mr.mask.begin(), mr.mask.end(), true);
    out.push_back(std::move(mr));
  }
  return out;
}

int64_t RankAllocator::total_rank() const {
  int64_t total = 0;
  for (const auto& r : ranks()) total += r.rank;
  return total;
}

std::vector<std::pair<std::string, torch::Tensor>> RankAllocator::state_tensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (size_t i = 0; i < matrices_.size(); ++i) {
    for (int t = 0; t < 3; ++t) {
      const auto& s = state_[i][t];
      if (!s.defined()) continue;
      const std::string base = matrices_[i].name + "." + kTensorNames[t] + ".";
      out.emplace_back(base + kStateNames[0], s.ipt);
      out.emplace_back(base + kStateNames[1], s.exp_avg_ipt);
      out.emplace_back(base + kStateNames[2], s.exp_avg_unc);
    }
  }
  return out;
}

void RankAllocator::load_state_tensors(const std::map<std::string, torch::Tensor>& tensors) {
  reset_importance();
  for (size_t i = 0; i < matrices_.size(); ++i) {
    for (int t = 0; t < 3; ++t) {
      const std::string base = matrices_[i].name + "." + kTensorNames[t] + ".";
      auto ipt = tensors.find(base + kStateNames[0]);
      if (ipt == tensors.end()) continue;  // state absent: not yet updated, or reset
      auto avg = tensors.find(base + kStateNames[1]);
      auto unc = tensors.find(base + kStateNames[2]);
      ADALORA_CHECK(avg != tensors.end() && unc != tensors.end(), "allocator state: ", base,
                    "{exp_avg_ipt,exp_avg_unc}: expected with ", base, "ipt, missing");
      const auto device = matrices_[i].adapter->lora_E.device();  // the EMAs live by their tensors
      state_[i][t] = ImportanceState{ipt->second.to(device, /*non_blocking=*/false, /*copy=*/true),
                                     avg->second.to(device, false, true),
                                     unc->second.to(device, false, true)};
    }
  }
}

}  // namespace adalora::peft
