// c10d process groups behind adalora::dist::ProcessGroup (see process_group.h).
#include "adalora/dist/process_group.h"

// ProcessGroupGloo.hpp declares its class only under LibTorch's own build flag; Debian's
// libtorch_cpu.so is built with Gloo and exports it.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef ADALORA_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <cstdlib>
#include <map>

#include "adalora/core/error.h"
#include "adalora/core/torch_compat.h"

namespace adalora::dist {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

int64_t env_int(const char* name, int64_t lo, int64_t hi, std::optional<int64_t> fallback) {
  const auto v = env(name);
  if (!v) {
    ADALORA_CHECK(fallback, "distributed: environment variable ", name,
                  ": expected an integer (WORLD_SIZE is set, so this is a distributed run), got none");
    return *fallback;
  }
  char* end = nullptr;
  const long long x = std::strtoll(v->c_str(), &end, 10);
  ADALORA_CHECK(end != v->c_str() && *end == '\0' && x >= lo && x <= hi,
                "distributed: environment variable ", name, ": expected an integer in [", lo, ", ",
                hi, "], got \"", *v, "\"");
  return x;
}

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

// Gloo binds to one interface: GLOO_SOCKET_IFNAME as in PyTorch, loopback for a local run, else
// the interface this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const auto ifname = env("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(*ifname);
  }
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

std::optional<Environment> Environment::from_env() {
  if (!env("WORLD_SIZE")) return std::nullopt;
  Environment e;
  e.world_size = env_int("WORLD_SIZE", 1, 1 << 20, std::nullopt);
  e.rank = env_int("RANK", 0, e.world_size - 1, std::nullopt);
  e.local_rank = env_int("LOCAL_RANK", 0, e.world_size - 1, e.rank);
  e.master_addr = env("MASTER_ADDR").value_or("127.0.0.1");
  e.master_port = env_int("MASTER_PORT", 1, 65535, 29500);
  return e;
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<compat::C10dCollectives> group;  // the Gloo / NCCL object (core/torch_compat.h)
  std::chrono::milliseconds timeout;

  // Runs one collective to completion; c10d/Gloo failures become an Error that says which.
  template <typename F>
  void run(int64_t rank, const char* what, F&& start) {
    try {
      c10::intrusive_ptr<c10d::Work> work = start();
      work->wait(timeout);
    } catch (const c10::Error& e) {
      throw Error(str_cat("distributed: rank ", rank, ": ", what,
                          " failed (a peer rank stopped, or none answered within the c10d timeout of ",
                          timeout.count() / 1000.0, " s): ", e.what_without_backtrace()));
    } catch (const std::exception& e) {
      throw Error(str_cat("distributed: rank ", rank, ": ", what,
                          " failed (a peer rank stopped, or none answered within the c10d timeout of ",
                          timeout.count() / 1000.0, " s): ", e.what()));
    }
  }
};

ProcessGroup::ProcessGroup(int64_t rank, int64_t world_size, std::unique_ptr<Impl> impl)
    : rank_(rank), world_size_(world_size), impl_(std::move(impl)) {}

ProcessGroup::~ProcessGroup() = default;

std::shared_ptr<ProcessGroup> ProcessGroup::connect(const Environment& env,
                                                    const ProcessGroupOptions& options) {
  ADALORA_CHECK(env.world_size >= 1 && env.rank >= 0 && env.rank < env.world_size,
                "distributed: RANK: expected 0 … WORLD_SIZE−1 = ", env.world_size - 1, ", got ",
                env.rank);
  auto impl = std::make_unique<Impl>();
  impl->timeout = options.timeout;
  const int rank = static_cast<int>(env.rank), size = static_cast<int>(env.world_size);
  std::string backend;
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0;
    store_options.numWorkers = static_cast<size_t>(env.world_size);
    store_options.timeout = options.timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    if (options.device.is_cuda()) {
#ifdef ADALORA_WITH_NCCL
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options.timeout;
      impl->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, rank, size, nccl_options);
      backend = "nccl";
#else
      throw Error("distributed: --device cuda: expected a LibTorch with CUDA and NCCL, got a "
                  "CPU-only build (hint: build against a CUDA LibTorch, or train on cpu with Gloo)");
#endif
    } else {
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
      gloo_options->devices.push_back(gloo_device(env.master_addr));
      impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, rank, size, gloo_options);
      backend = "gloo";
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const std::string what = dynamic_cast<const c10::Error*>(&e)
                                 ? static_cast<const c10::Error&>(e).what_without_backtrace()
                                 : e.what();
    throw Error(str_cat("distributed: rank ", env.rank, ": rendezvous at ", env.master_addr, ":",
                        env.master_port, " (", env.world_size, " ranks) failed within ",
                        options.timeout.count() / 1000.0, " s: ", what));
  }
  std::shared_ptr<ProcessGroup> group(new ProcessGroup(env.rank, env.world_size, std::move(impl)));
  group->backend_ = backend;
  return group;
}

void ProcessGroup::sum(const torch::Tensor& tensor) {
  std::vector<at::Tensor> one{tensor};
  impl_->run(rank_, "all-reduce", [&] { return impl_->group->allreduce(one); });
}

void ProcessGroup::average(const std::vector<torch::Tensor>& tensors) {
  // One flattened buffer per dtype: [Σ numel] — a single message for all of an adapter's tensors.
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_dtype;
  for (const auto& t : tensors) by_dtype[t.scalar_type()].push_back(t);
  for (auto& [dtype, group] : by_dtype) {
    std::vector<torch::Tensor> flat;
    for (const auto& t : group) flat.push_back(t.reshape({-1}));
    torch::Tensor buffer = torch::cat(flat);  // [Σ numel]
    sum(buffer);
    buffer.div_(static_cast<double>(world_size_));
    int64_t offset = 0;
    for (auto& t : group) {
      t.copy_(buffer.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors, int64_t root) {
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_dtype;
  for (const auto& t : tensors) by_dtype[t.scalar_type()].push_back(t);
  for (auto& [dtype, group] : by_dtype) {
    std::vector<torch::Tensor> flat;
    for (const auto& t : group) flat.push_back(t.detach().reshape({-1}));
    std::vector<at::Tensor> one{torch::cat(flat)};  // [Σ numel]
    c10d::BroadcastOptions options;
    options.rootRank = root;
    impl_->run(rank_, "broadcast", [&] { return impl_->group->broadcast(one, options); });
    torch::NoGradGuard no_grad;
    int64_t offset = 0;
    for (auto& t : group) {
      t.copy_(one[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

std::vector<int64_t> ProcessGroup::all_gather(int64_t value) {
  std::vector<at::Tensor> input{torch::full({1}, value, torch::kInt64)};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int64_t r = 0; r < world_size_; ++r) output[0].push_back(torch::empty({1}, torch::kInt64));
  impl_->run(rank_, "all-gather", [&] { return impl_->group->allgather(output, input); });
  std::vector<int64_t> values;
  for (const auto& t : output[0]) values.push_back(t.item<int64_t>());
  return values;
}

torch::Tensor ProcessGroup::all_gather_rows(const torch::Tensor& rows) {
  ADALORA_CHECK(rows.dim() >= 1, "distributed: all_gather_rows: expected a tensor of rows, got ",
                rows.dim(), " dimensions");
  const std::vector<int64_t> counts = all_gather(rows.size(0));
  const int64_t most = *std::max_element(counts.begin(), counts.end());
  // Gloo's all-gather needs equal shapes: pad every rank's rows to the largest count.
  std::vector<int64_t> shape = rows.sizes().vec();
  shape[0] = most;
  torch::Tensor padded = torch::zeros(shape, rows.options());  // [most, …]
  padded.narrow(0, 0, rows.size(0)).copy_(rows);
  std::vector<at::Tensor> input{padded};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int64_t r = 0; r < world_size_; ++r) output[0].push_back(torch::empty(shape, rows.options()));
  impl_->run(rank_, "all-gather", [&] { return impl_->group->allgather(output, input); });
  std::vector<torch::Tensor> parts;
  for (int64_t r = 0; r < world_size_; ++r) parts.push_back(output[0][r].narrow(0, 0, counts[r]));
  return torch::cat(parts);  // [Σ n_r, …]
}

void ProcessGroup::barrier() {
  impl_->run(rank_, "barrier", [&] { return impl_->group->barrier(); });
}

}  // namespace adalora::dist
