#include "adalora/peft/merged_for_eval.h"

namespace adalora::peft {
namespace {

// True when the layer's eval-mode output is x·(W + ΔW)ᵀ + b, so merging does not change it.
bool merges_exactly(nn::LinearImpl& layer) {
  const auto& adapter = layer.adapter();
  if (!adapter || !layer.adapter_enabled() || layer.merged() || layer.is_training()) return false;
  for (const auto& p : adapter->parameters()) {
    if (p.scalar_type() != layer.weight.scalar_type()) return false;
  }
  // An empty probe suffices: the adapter only decides whether it is a plain low-rank update.
  const auto probe = torch::empty({0, layer.options().in_features}, layer.weight.options());
  const auto update = adapter->low_rank_update(probe);
  return update.has_value() && !update->input.defined();
}

}  // namespace

MergedForEval::MergedForEval(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  try {
    for (const auto& module : model.modules(/*include_self=*/true)) {
      auto layer = std::dynamic_pointer_cast<nn::LinearImpl>(module);
      if (!layer || !merges_exactly(*layer)) continue;
      Merged m{layer, layer->weight.clone()};
      layer->merge();
      merged_.push_back(std::move(m));
    }
  } catch (...) {
    restore();  // a refused merge (non-finite ΔW) leaves no layer merged
    throw;
  }
}

MergedForEval::~MergedForEval() { restore(); }

void MergedForEval::restore() {
  torch::NoGradGuard no_grad;
  for (auto& m : merged_) {
    m.layer->unmerge();                           // W − ΔW: marks the layer unmerged
    m.layer->weight.copy_(m.original_weight);     // and the weight exactly as before merge()
  }
  merged_.clear();
}

}  // namespace adalora::peft
