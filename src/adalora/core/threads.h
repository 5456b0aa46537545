// Thread count of LibTorch's intra-op pool. LibTorch starts with one thread on some machines
// (seen on Debian 12 with 2 cores), so the library sets it from the hardware unless told otherwise.
#pragma once

namespace adalora {

/// Sets LibTorch's intra-op threads: `requested` if > 0, else the environment variable
/// ADALORA_NUM_THREADS if set, else the number of hardware threads. Returns the count in use.
/// Warns once on stderr when more than one thread meets OpenBLAS's pthread build (core/blas.h).
int configure_threads(int requested = 0);

}  // namespace adalora
