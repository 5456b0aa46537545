// The device golden tests run on: ADALORA_TEST_DEVICE = cpu (default), cuda or cuda:N
// (scripts/gpu_check.sh sets cuda). On a GPU, TF32 is switched off so that float32 matmuls are
// float32, as the goldens' tolerances assume. Comparisons move results to the host
// (tensor_asserts.cpp), so a test only moves its model and inputs.
#pragma once

#include <ATen/Context.h>
#include <torch/torch.h>

#include <cstdlib>

#include "adalora/core/device.h"

namespace adalora::testing {

inline torch::Device test_device() {
  static const torch::Device device = [] {
    const char* value = std::getenv("ADALORA_TEST_DEVICE");
    const torch::Device d =
        parse_device(value != nullptr && *value != '\0' ? value : "cpu", "ADALORA_TEST_DEVICE");
    if (d.is_cuda()) {
      at::globalContext().setAllowTF32CuBLAS(false);
      at::globalContext().setAllowTF32CuDNN(false);
    }
    return d;
  }();
  return device;
}

}  // namespace adalora::testing
