// Where tensors live: the `--device` spelling (cpu, cuda, cuda:N), checked against what this build
// of LibTorch and this machine offer, and the device a module's parameters are on.
// Only the CPU is tested here; CUDA paths compile against every LibTorch but run only where one
// with CUDA and a GPU is present (docs/devices.md says what was verified).
#pragma once

#include <torch/torch.h>

#include <string>

namespace adalora {

/// Parses "cpu", "cuda" or "cuda:N". Throws adalora::Error naming `source` (a flag or a JSON key)
/// for another spelling, and for CUDA when this LibTorch has no CUDA or no GPU is visible, or
/// when N is not below the number of visible GPUs.
torch::Device parse_device(const std::string& spec, const std::string& source = "--device");

/// The device of the module's first parameter (then buffer); CPU for a module with neither.
torch::Device device_of(const torch::nn::Module& module);

}  // namespace adalora
