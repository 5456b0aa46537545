#include "adalora/core/compute_dtype.h"

#include "adalora/core/error.h"

namespace adalora {

torch::ScalarType parse_compute_dtype(const std::string& spec, const std::string& source) {
  if (spec == "float32") return torch::kFloat32;
  if (spec == "bfloat16") return torch::kBFloat16;
  ADALORA_CHECK(spec != "float16", source,
                ": float16 is not supported as a compute dtype (LibTorch's CPU kernels lack half "
                "precision GEMM); expected float32 or bfloat16");
  throw Error(str_cat(source, ": expected float32 or bfloat16, got \"", spec, "\""));
}

std::string compute_dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat32: return "float32";
    case torch::kBFloat16: return "bfloat16";
    case torch::kFloat16: return "float16";
    case torch::kFloat64: return "float64";
    default: return c10::toString(dtype);
  }
}

}  // namespace adalora
