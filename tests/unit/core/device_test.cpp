// --device parsing: the three spellings, errors naming the source, and CUDA refused with the
// documented message where this LibTorch has no CUDA or no GPU is visible (the build CI tests).
#include "adalora/core/device.h"

#include <gtest/gtest.h>

#include <torch/cuda.h>

#include "adalora/core/error.h"

namespace adalora {
namespace {

std::string error_of(const std::string& spec) {
  try {
    parse_device(spec, "--device");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DeviceTest, ParsesCpu) { EXPECT_EQ(parse_device("cpu"), torch::Device(torch::kCPU)); }

TEST(DeviceTest, RefusesOtherSpellingsNamingTheSource) {
  for (const std::string bad : {"", "gpu", "CPU", "cuda0", "cuda:", "cuda:x", "cuda:-1", "cuda:99999"}) {
    const std::string what = error_of(bad);
    EXPECT_NE(what.find("--device: expected cpu, cuda or cuda:N, got \"" + bad + "\""), std::string::npos)
        << bad << " → " << what;
  }
  try {
    parse_device("tpu", "config.json: device");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("config.json: device: ", 0), 0u) << e.what();
  }
}

TEST(DeviceTest, CudaIsRefusedClearlyWithoutAGpu) {
  if (torch::cuda::is_available()) {
    EXPECT_EQ(parse_device("cuda").type(), torch::kCUDA);
    EXPECT_EQ(parse_device("cuda:0"), torch::Device(torch::kCUDA, 0));
    EXPECT_NE(error_of("cuda:" + std::to_string(torch::cuda::device_count())).find("below"), std::string::npos);
    return;
  }
  for (const std::string spec : {"cuda", "cuda:0", "cuda:3"}) {
    EXPECT_NE(error_of(spec).find("--device " + spec + ": this build of LibTorch has no CUDA / no GPU visible"),
              std::string::npos)
        << error_of(spec);
  }
}

TEST(DeviceTest, DeviceOfAModuleIsItsParameters) {
  torch::nn::Linear linear(2, 3);
  EXPECT_EQ(device_of(*linear), torch::Device(torch::kCPU));
  torch::nn::Sequential empty;
  EXPECT_EQ(device_of(*empty), torch::Device(torch::kCPU));
}

}  // namespace
}  // namespace adalora
