#!/usr/bin/env bash
# The README's main-job command: install dependencies, build the `adalora` tool, and run the main
# job on its built-in default — `adalora train --preset demo`: the committed small BERT
# (models/demo-bert) fine-tuned on the fine-food reviews (data/fine_foods) with AdaLoRA and with
# LoRA at the same final budget; test accuracy and F1 of both are printed and written to
# OUT/results.json (default OUT: out/demo). Extra arguments go to `adalora train`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target adalora_cli
out=out/demo
for arg in "$@"; do
  if [[ "$arg" == "--out" ]]; then out=""; fi  # the caller names the folder
done
if [[ -n "$out" ]]; then set -- --out "$out" "$@"; fi
exec ./build/adalora train --preset demo "$@"
