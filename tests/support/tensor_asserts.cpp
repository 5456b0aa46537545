#include "tests/support/tensor_asserts.h"

#include <sstream>

namespace adalora::testing {

::testing::AssertionResult tensors_near(const torch::Tensor& actual, const torch::Tensor& expected,
                                        double atol, double rtol) {
  if (!actual.defined() || !expected.defined()) {
    return ::testing::AssertionFailure() << "undefined tensor";
  }
  if (actual.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure()
           << "shape mismatch: actual " << actual.sizes() << ", expected " << expected.sizes();
  }
  auto a = actual.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  auto e = expected.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  if (a.numel() == 0) return ::testing::AssertionSuccess();
  auto diff = (a - e).abs();
  auto tol = e.abs() * rtol + atol;
  auto bad = (diff > tol) | (a.isnan() != e.isnan());
  if (!bad.any().item<bool>()) return ::testing::AssertionSuccess();
  auto flat = bad.reshape(-1);
  int64_t first = flat.nonzero()[0][0].item<int64_t>();
  std::ostringstream index;
  int64_t rem = first;
  std::vector<int64_t> idx(a.dim());
  for (int64_t d = a.dim() - 1; d >= 0; --d) {
    idx[d] = rem % a.size(d);
    rem /= a.size(d);
  }
  index << "[";
  for (size_t i = 0; i < idx.size(); ++i) index << (i ? ", " : "") << idx[i];
  index << "]";
  auto rel = diff / e.abs().clamp_min(1e-300);
  return ::testing::AssertionFailure()
         << "tensors differ (shape " << a.sizes() << ", atol " << atol << ", rtol " << rtol
         << "): " << flat.sum().item<int64_t>() << " of " << a.numel() << " elements out of tolerance; "
         << "max abs err " << diff.max().item<double>() << ", max rel err "
         << rel.max().item<double>() << "; first at " << index.str() << ": actual "
         << a.reshape(-1)[first].item<double>() << ", expected " << e.reshape(-1)[first].item<double>();
}

}  // namespace adalora::testing
