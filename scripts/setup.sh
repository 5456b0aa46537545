#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run. Idempotent: when all
# packages are present it changes nothing and needs no network.
# ADALORA_FUZZ=1 adds clang and libFuzzer (libclang-rt-dev ships libclang_rt.fuzzer) for fuzz/run.sh.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev            # LibTorch 1.13 (tensors, autograd, modules)
  libopenblas0-openmp     # OpenBLAS, OpenMP build: the BLAS every program links (cmake/openblas_openmp.cmake)
  libgloo-dev             # required by Debian's TorchConfig.cmake
  nlohmann-json3-dev      # JSON: config.json, tokenizer.json, adapter_config.json, golden files
  libicu-dev              # Unicode normalisation (NFD/NFKC) and character categories for tokenizers
  libcli11-dev            # command-line parsing of the adalora CLI
  libgtest-dev            # GoogleTest / GoogleMock
  libbenchmark-dev        # Google Benchmark (micro-benchmarks in bench/)
)
if [ "${ADALORA_FUZZ:-0}" = 1 ]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages present"
fi
