#include "adalora/core/device.h"

#include <torch/cuda.h>

#include "adalora/core/error.h"

namespace adalora {

torch::Device parse_device(const std::string& spec, const std::string& source) {
  if (spec == "cpu") return torch::kCPU;
  const std::string cuda = "cuda";
  ADALORA_CHECK(spec.rfind(cuda, 0) == 0, source, ": expected cpu, cuda or cuda:N, got \"", spec,
                "\"");
  int64_t index = -1;
  if (spec.size() > cuda.size()) {
    const std::string digits = spec.substr(cuda.size() + 1);
    ADALORA_CHECK(spec[cuda.size()] == ':' && !digits.empty() && digits.size() <= 4 &&
                      digits.find_first_not_of("0123456789") == std::string::npos,
                  source, ": expected cpu, cuda or cuda:N, got \"", spec, "\"");
    index = std::stoll(digits);
  }
  ADALORA_CHECK(torch::cuda::is_available(), source, " ", spec,
                ": this build of LibTorch has no CUDA / no GPU visible (hint: --device cpu, or "
                "build against a LibTorch with CUDA on a machine with a GPU; docs/devices.md)");
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  ADALORA_CHECK(index < count, source, " ", spec, ": expected a GPU index below ", count,
                " (the visible GPUs), got ", index);
  return index < 0 ? torch::Device(torch::kCUDA) : torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

torch::Device device_of(const torch::nn::Module& module) {
  for (const auto& p : module.parameters(/*recurse=*/true)) return p.device();
  for (const auto& b : module.buffers(/*recurse=*/true)) return b.device();
  return torch::kCPU;
}

}  // namespace adalora
