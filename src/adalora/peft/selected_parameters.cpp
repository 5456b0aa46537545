#include "adalora/peft/selected_parameters.h"

#include <filesystem>
#include <map>

#include "adalora/core/error.h"
#include "adalora/io/safetensors.h"
#include "adalora/peft/adapter_files.h"

namespace adalora::peft {
namespace {

class SelectedParametersMethod : public Method {
 public:
  SelectedParametersMethod(const char* name, std::vector<std::pair<std::string, torch::Tensor>> params)
      : name_(name), params_(std::move(params)) {}
  const char* name() const override { return name_; }
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const override { return params_; }
  bool trains_base_parameters() const override { return true; }
  void save(const std::string& dir) const override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ADALORA_CHECK(!ec, dir, ": cannot create folder: ", ec.message());
    io::save_safetensors(dir + "/model.safetensors", params_, {{"format", "pt"}, {kMethodMetadataKey, name_}});
  }

 private:
  const char* name_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
};

}  // namespace

MethodPtr selected_parameters_method(const char* name, std::vector<std::pair<std::string, torch::Tensor>> params) {
  return std::make_unique<SelectedParametersMethod>(name, std::move(params));
}

MethodPtr load_selected_parameters(torch::nn::Module& model, const std::string& dir, bool trainable) {
  const std::string path = (std::filesystem::path(dir) / "model.safetensors").string();
  ADALORA_CHECK(std::filesystem::exists(path), path, ": file not found");
  const auto file = io::SafetensorsFile::open(path);
  std::map<std::string, torch::Tensor> params;
  for (auto& p : model.named_parameters()) params[p.key()] = p.value();
  const auto it = file.metadata().find(kMethodMetadataKey);
  const char* name = it != file.metadata().end() && it->second == "bitfit" ? "bitfit" : "full";
  // Checked before the model is touched: a failed load leaves it as it was.
  for (const auto& key : file.names()) {
    const auto found = params.find(key);
    ADALORA_CHECK(found != params.end(), path, ": tensor \"", key, "\": expected a parameter of the model, found none");
    const auto& shape = file.info(key).shape;
    ADALORA_CHECK(found->second.sizes().vec() == shape, path, ": tensor \"", key, "\": expected shape ",
                  found->second.sizes(), ", got ", c10::IntArrayRef(shape));
  }
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, torch::Tensor>> loaded;
  torch::NoGradGuard no_grad;
  for (const auto& key : file.names()) {
    torch::Tensor& p = params.at(key);
    const torch::Tensor stored = file.load(key, p.scalar_type());
    check_finite(stored, path, key);
    p.copy_(stored);
    p.set_requires_grad(trainable);
    loaded.emplace_back(key, p);
  }
  return selected_parameters_method(name, std::move(loaded));
}

}  // namespace adalora::peft
