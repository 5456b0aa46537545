#include "adalora/nn/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>

#include "adalora/core/error.h"
#include "adalora/nn/dropout_seed.h"

namespace adalora::nn {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64's output function (Steele, Lea, Flood 2014): the k-th number of the stream from
// `seed` is mix(seed + (k + 1)·golden). One 64-bit number gives the keep bits of two elements.
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Keep when the top 24 bits of a 32-bit half are below (1 − p)·2²⁴ (resolution 6e-8 in p).
inline uint32_t keep_threshold(double p) {
  return static_cast<uint32_t>(std::llround((1.0 - p) * 16777216.0));
}

}  // namespace

uint64_t draw_dropout_seed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

namespace {

// out[i] = keep_i ? x[i]·scale : 0, mask[i] = keep_i, for i in [0, n).
template <typename T>
void dropout_kernel(const T* x, T* out, uint8_t* mask, int64_t n, uint64_t seed, uint32_t threshold, T scale) {
  const int64_t pairs = (n + 1) / 2;
  at::parallel_for(0, pairs, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const uint64_t h = mix(seed + static_cast<uint64_t>(k + 1) * kGolden);
      const int64_t i = 2 * k;
      const uint8_t k0 = (static_cast<uint32_t>(h) >> 8) < threshold;
      mask[i] = k0;
      if (x != nullptr) out[i] = k0 ? x[i] * scale : T(0);
      if (i + 1 < n) {
        const uint8_t k1 = (static_cast<uint32_t>(h >> 32) >> 8) < threshold;
        mask[i + 1] = k1;
        if (x != nullptr) out[i + 1] = k1 ? x[i + 1] * scale : T(0);
      }
    }
  });
}

template <typename T>
void masked_scale_kernel(const T* g, const uint8_t* mask, T* out, int64_t n, T scale) {
  at::parallel_for(0, n, 32768, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = mask[i] ? g[i] * scale : T(0);
  });
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct DropoutFunction : torch::autograd::Function<DropoutFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, double p) {
    auto [out, mask] = dropout_forward(x, p);
    ctx->save_for_backward({mask});
    ctx->saved_data["p"] = p;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto mask = ctx->get_saved_variables()[0];
    return {dropout_backward(grad_outputs[0], mask, ctx->saved_data["p"].toDouble()), torch::Tensor()};
  }
};

}  // namespace

std::pair<torch::Tensor, torch::Tensor> dropout_forward(const torch::Tensor& x, double p) {
  ADALORA_CHECK(p >= 0.0 && p < 1.0, "dropout_forward: expected a probability in [0, 1), got ", p);
  const auto input = x.contiguous();
  auto out = torch::empty_like(input);
  auto mask = torch::empty(input.sizes(), input.options().dtype(torch::kUInt8));
  const uint64_t seed = draw_dropout_seed();
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "adalora::nn::dropout_forward", [&] {
    dropout_kernel<scalar_t>(input.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), mask.data_ptr<uint8_t>(),
                             input.numel(), seed, keep_threshold(p), static_cast<scalar_t>(1.0 / (1.0 - p)));
  });
  return {out, mask};
}

torch::Tensor dropout_backward(const torch::Tensor& g, const torch::Tensor& mask, double p) {
  const auto grad = g.contiguous();
  auto dx = torch::empty_like(grad);
  AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "adalora::nn::dropout_backward", [&] {
    masked_scale_kernel<scalar_t>(grad.data_ptr<scalar_t>(), mask.data_ptr<uint8_t>(), dx.data_ptr<scalar_t>(),
                                  grad.numel(), static_cast<scalar_t>(1.0 / (1.0 - p)));
  });
  return dx;
}

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training) {
  ADALORA_CHECK(p >= 0.0 && p <= 1.0, "apply_dropout: expected a probability in [0, 1], got ", p);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0;  // as torch::dropout: zeros, still connected to the graph
  const auto t = x.scalar_type();
  if (!x.device().is_cpu() || (t != torch::kFloat32 && t != torch::kFloat64)) return torch::dropout(x, p, true);
  return DropoutFunction::apply(x, p);
}

torch::Tensor dropout_mask(int64_t numel, double p, uint64_t seed) {
  ADALORA_CHECK(p >= 0.0 && p <= 1.0, "dropout_mask: expected a probability in [0, 1], got ", p);
  auto mask = torch::empty({numel}, torch::kUInt8);
  dropout_kernel<float>(nullptr, nullptr, mask.data_ptr<uint8_t>(), numel, seed, keep_threshold(p), 1.0f);
  return mask;
}

DropoutImpl::DropoutImpl(double p) : p_(p) {
  ADALORA_CHECK(p >= 0.0 && p <= 1.0, "Dropout: expected a probability in [0, 1], got ", p);
}

void DropoutImpl::pretty_print(std::ostream& stream) const { stream << "adalora::nn::Dropout(p=" << p_ << ")"; }

}  // namespace adalora::nn
