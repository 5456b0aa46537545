// Everything our code does differently for Debian's LibTorch 1.13 (built and tested in CI) and an
// official LibTorch 2.x (PyTorch's wheel or the libtorch zip) is here, selected by the version
// LibTorch reports or by the type its headers declare. Compiling against 2.x has NOT been done on
// this project's machines (no 2.x installable there); what differs was read from PyTorch's
// headers (docs/devices.md lists it). A new difference gets a line here, not an #if elsewhere.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>

/// 1 for LibTorch ≥ 2.0.
#define ADALORA_TORCH_2 (TORCH_VERSION_MAJOR >= 2)

namespace c10d {
class ProcessGroup;
class Backend;
}  // namespace c10d

namespace adalora::compat {

/// The c10d class ProcessGroupGloo / ProcessGroupNCCL derive from: c10d::ProcessGroup in 1.13;
/// 2.0 split process groups into a dispatching ProcessGroup and per-device c10d::Backend, and the
/// Gloo/NCCL classes became Backends (same collective signatures: allreduce, broadcast, …).
#if ADALORA_TORCH_2
using C10dCollectives = c10d::Backend;
#else
using C10dCollectives = c10d::ProcessGroup;
#endif

/// The key torch::optim::Optimizer::state() files a parameter's state under: its TensorImpl's
/// address printed as text (c10::guts::to_string) up to 2.0, the address itself (void*) from 2.1.
/// Chosen by the map's key type, so no version number has to be right.
template <typename Optimizer>
auto optimizer_state_key(const Optimizer& optimizer, const torch::Tensor& p) {
  using Map = std::decay_t<decltype(optimizer.state())>;
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;  // what c10::guts::to_string does
    text << static_cast<const void*>(p.unsafeGetTensorImpl());
    return text.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

/// CUDA autocast on or off, to `dtype` when on (what `with torch.autocast("cuda", dtype)` does
/// around a forward). 2.4 replaced set_enabled / set_autocast_gpu_dtype (then deprecated, which
/// -Werror refuses) by per-device-type calls.
inline void set_cuda_autocast(bool enabled, at::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_dtype(at::kCUDA, dtype);
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_autocast_gpu_dtype(dtype);
  at::autocast::set_enabled(enabled);
#endif
  if (!enabled) at::autocast::clear_cache();  // casts are cached only inside one region
}

}  // namespace adalora::compat
