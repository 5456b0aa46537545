#include "adalora/peft/adalora/adalora.h"

#include "adalora/core/error.h"
#include "adalora/peft/adalora/orth_reg.h"
#include "adalora/peft/adapter_files.h"

namespace adalora::peft {
namespace {

torch::Dtype dtype_of_layer(const nn::LinearImpl& layer) {
  // Adapters are float32 for half-precision bases, as PEFT's autocast_adapter_dtype does.
  auto t = layer.weight.scalar_type();
  return (t == torch::kFloat16 || t == torch::kBFloat16) ? torch::kFloat32 : t;
}

// An init_r adapter for `layer` as configured (PEFT's update_layer).
std::shared_ptr<SvdAdapter> make_adapter(const nn::LinearImpl& layer, const AdaLoraConfig& config) {
  SvdAdapterOptions options;
  options.in_features = layer.options().in_features;
  options.out_features = layer.options().out_features;
  options.r = config.init_r;
  options.lora_alpha = config.lora_alpha;
  options.lora_dropout = config.lora_dropout;
  options.init_lora_weights = config.init_lora_weights;
  options.dtype = dtype_of_layer(layer);
  return std::make_shared<SvdAdapter>(options);
}

// The target layers: config.targets, never inside a modules_to_save module (PEFT).
TargetSpec adalora_targets(const AdaLoraConfig& config) {
  TargetSpec spec = config.targets;
  spec.modules_to_save = config.modules_to_save;
  return spec;
}

}  // namespace

AdaLora::AdaLora(AdaLoraConfig config, std::vector<AdaptedMatrix> matrices,
                 std::vector<std::shared_ptr<nn::LinearImpl>> layers,
                 std::vector<std::pair<std::string, torch::Tensor>> modules_to_save,
                 bool pattern_fixed)
    : config_(std::move(config)),
      layers_(std::move(layers)),
      modules_to_save_(std::move(modules_to_save)),
      pattern_fixed_(pattern_fixed) {
  AdaLoraConfig allocator_config = config_;
  if (pattern_fixed_) allocator_config.rank_pattern.clear();  // tensors are already pruned
  allocator_ = std::make_unique<RankAllocator>(std::move(matrices), allocator_config);
}

AdaLora AdaLora::attach(torch::nn::Module& model, const AdaLoraConfig& config) {
  config.validate();
  auto targets = find_targets(model, adalora_targets(config));
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<AdaptedMatrix> matrices;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers;
  for (auto& [path, layer] : targets) {
    auto adapter = make_adapter(*layer, config);
    adapter->to(layer->weight.device());
    layer->attach(adapter);
    matrices.push_back({path, adapter});
    layers.push_back(layer);
  }
  auto extra = collect_modules_to_save(model, config.modules_to_save);
  for (auto& [name, p] : extra) p.set_requires_grad(true);
  // PEFT sets fan_in_fan_out for Conv1D targets (GPT-2); the adapter tensors are the same.
  AdaLoraConfig saved_config = config;
  for (const auto& layer : layers) saved_config.fan_in_fan_out |= layer->options().fan_in_fan_out;
  return AdaLora(saved_config, std::move(matrices), std::move(layers), std::move(extra), false);
}

AdaLora AdaLora::load(torch::nn::Module& model, const std::string& dir, bool trainable) {
  const AdapterFiles files = read_adapter_files(dir);
  const std::string config_source = files.dir + "/" + kAdapterConfigFile;
  AdaLoraConfig config = AdaLoraConfig::from_peft_json(files.config, config_source);
  const auto targets = find_targets(model, adalora_targets(config));
  for (const auto& [key, bits] : config.rank_pattern) {
    bool targeted = false;
    for (const auto& [path, layer] : targets) targeted = targeted || key == path + ".lora_E";
    ADALORA_CHECK(targeted, config_source, ": rank_pattern: \"", key,
                  "\": expected \"<path of an adapted module>.lora_E\", but no adapted module has that path (e.g. \"",
                  targets.front().first, ".lora_E\")");
  }

  // Stage: build every adapter and read every tensor, checking as we go; the model is untouched
  // until all of it fits, so a failed load leaves it as it was.
  std::vector<std::shared_ptr<SvdAdapter>> staged;
  for (const auto& [path, layer] : targets) {
    // PEFT creates every module with init_r, then resizes by the pattern; ranknum stays init_r.
    int64_t rank = config.init_r;
    if (!config.rank_pattern.empty()) {
      auto it = config.rank_pattern.find(path + ".lora_E");
      ADALORA_CHECK(it != config.rank_pattern.end(), config_source, ": rank_pattern: expected an entry \"",
                    path, ".lora_E\" for the targeted module, none found");
      rank = std::count(it->second.begin(), it->second.end(), true);
    }
    auto adapter = make_adapter(*layer, config);
    adapter->resize(rank);
    torch::NoGradGuard no_grad;
    for (auto [name, tensor] : {std::pair<const char*, torch::Tensor*>{"lora_A", &adapter->lora_A},
                                {"lora_B", &adapter->lora_B},
                                {"lora_E", &adapter->lora_E}}) {
      const std::string key = path + "." + name;
      auto loaded = files.load(key, adapter->lora_A.scalar_type());
      ADALORA_CHECK(loaded.sizes() == tensor->sizes(), files.weights.path(), ": tensor \"",
                    kPeftKeyPrefix, key, "\": expected shape ", tensor->sizes(),
                    " (rank ", rank, " from rank_pattern), got ", loaded.sizes());
      tensor->copy_(loaded);
    }
    adapter->to(layer->weight.device());
    for (auto* t : {&adapter->lora_A, &adapter->lora_B, &adapter->lora_E}) t->set_requires_grad(trainable);
    staged.push_back(adapter);
  }
  std::vector<std::pair<std::string, torch::Tensor>> extra;
  std::vector<torch::Tensor> extra_values;
  {
    std::vector<bool> grad_before;  // collect_modules_to_save marks trainable; restored until commit
    for (auto& p : model.parameters()) grad_before.push_back(p.requires_grad());
    extra = collect_modules_to_save(model, config.modules_to_save);
    size_t i = 0;
    for (auto& p : model.parameters()) p.set_requires_grad(grad_before[i++]);
  }
  for (auto& [name, p] : extra) {
    auto value = files.load(name, p.scalar_type());
    ADALORA_CHECK(value.sizes() == p.sizes(), files.weights.path(), ": tensor \"", kPeftKeyPrefix, name,
                  "\": expected shape ", p.sizes(), " (modules_to_save), got ", value.sizes());
    extra_values.push_back(value);
  }

  // Commit: everything fits.
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<AdaptedMatrix> matrices;
  std::vector<std::shared_ptr<nn::LinearImpl>> layers;
  for (size_t i = 0; i < targets.size(); ++i) {
    targets[i].second->attach(staged[i]);
    matrices.push_back({targets[i].first, staged[i]});
    layers.push_back(targets[i].second);
  }
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < extra.size(); ++i) {
      extra[i].second.copy_(extra_values[i]);
      extra[i].second.set_requires_grad(trainable);
    }
  }
  return AdaLora(config, std::move(matrices), std::move(layers), std::move(extra), true);
}

std::vector<std::pair<std::string, torch::Tensor>> AdaLora::named_parameters() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& m : allocator_->matrices()) {
    out.emplace_back(m.name + ".lora_A", m.adapter->lora_A);
    out.emplace_back(m.name + ".lora_B", m.adapter->lora_B);
    out.emplace_back(m.name + ".lora_E", m.adapter->lora_E);
  }
  for (const auto& item : modules_to_save_) out.push_back(item);
  return out;
}

std::vector<torch::Tensor> AdaLora::parameters() const {
  std::vector<torch::Tensor> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

torch::Tensor AdaLora::orth_regularization() const {
  std::vector<std::shared_ptr<SvdAdapter>> adapters;
  for (const auto& m : allocator_->matrices()) adapters.push_back(m.adapter);
  return orthogonal_regularizer(adapters, config_.orth_reg_form) * config_.orth_reg_weight;
}

torch::Tensor AdaLora::add_regularizer(const torch::Tensor& task_loss) const {
  if (config_.orth_reg_weight == 0) return task_loss;
  return task_loss + orth_regularization();
}

AllocationResult AdaLora::update_and_allocate(int64_t global_step) {
  if (!config_.budget_allocation) {  // SVD-LoRA: the budget never changes
    AllocationResult fixed;
    fixed.step = global_step;
    fixed.budget = allocator_->schedule().init_bgt;
    return fixed;
  }
  ADALORA_CHECK(!pattern_fixed_, "AdaLora::update_and_allocate: this adapter was loaded already "
                "pruned; its rank pattern is fixed");
  auto result = allocator_->update_and_allocate(global_step);
  if (!allocator_->rank_pattern().empty()) config_.rank_pattern = allocator_->rank_pattern();
  return result;
}

AllocationResult AdaLora::step(torch::optim::Optimizer& optimizer, const StepOptions& options) {
  if (options.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(parameters(), options.max_grad_norm);
  optimizer.step();
  AllocationResult result;
  if (!pattern_fixed_) result = update_and_allocate(global_step_);
  optimizer.zero_grad();
  ++global_step_;
  return result;
}

AdaLoraConfig AdaLora::config() const { return config_; }

void AdaLora::save(const std::string& dir) const {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  const auto& pattern = config_.rank_pattern;
  for (const auto& m : allocator_->matrices()) {
    const auto& a = *m.adapter;
    torch::Tensor A = a.lora_A.detach(), B = a.lora_B.detach(), E = a.lora_E.detach();
    auto it = pattern.find(m.name + ".lora_E");
    if (it != pattern.end() && static_cast<int64_t>(it->second.size()) == a.rank()) {
      std::vector<int64_t> rows;
      for (size_t i = 0; i < it->second.size(); ++i) {
        if (it->second[i]) rows.push_back(static_cast<int64_t>(i));
      }
      auto index = torch::tensor(rows, torch::kInt64).to(A.device());
      A = A.index_select(0, index);
      E = E.index_select(0, index);
      B = B.index_select(1, index);
    }
    // PEFT's key order within a module: lora_A, lora_B, lora_E (ranknum is never saved).
    tensors.emplace_back(m.name + ".lora_A", A);
    tensors.emplace_back(m.name + ".lora_B", B);
    tensors.emplace_back(m.name + ".lora_E", E);
  }
  for (const auto& [name, p] : modules_to_save_) tensors.emplace_back(name, p.detach());
  write_adapter_files(dir, config_.to_peft_json(), tensors);
}

void AdaLora::merge() {
  for (auto& layer : layers_) layer->merge();
}

void AdaLora::unmerge() {
  for (auto& layer : layers_) layer->unmerge();
}

int64_t AdaLora::trainable_parameter_count() const {
  int64_t n = 0;
  for (const auto& [name, p] : named_parameters()) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

int64_t AdaLora::pruned_adapter_parameter_count() const {
  int64_t n = 0;
  const auto ranks = allocator_->ranks();
  for (size_t i = 0; i < ranks.size(); ++i) {
    const auto& a = *allocator_->matrices()[i].adapter;
    const int64_t r = pattern_fixed_ ? a.rank() : ranks[i].rank;
    n += r * (a.lora_A.size(1) + a.lora_B.size(0) + 1);
  }
  return n;
}

}  // namespace adalora::peft
