#!/usr/bin/env bash
# Issue 18's GPU check, as ONE prepared run for a machine with an NVIDIA GPU, CUDA, CMake, ninja and
# PyTorch 2.x with CUDA (its wheel carries a complete LibTorch with CMake files), plus PEFT and
# transformers for the comparison. Optional tooling: never needed to build or test the project.
#
# NOT RUN YET: written on a machine without a GPU or a LibTorch 2.x (docs/devices.md). Expect the
# first run to find compile errors against 2.x; they belong in src/adalora/core/torch_compat.h.
#
# Steps (each logged to $OUT/<step>.log; a failing step is reported and the next one still runs):
#   1. configure against the wheel's LibTorch (CMAKE_PREFIX_PATH = torch.utils.cmake_prefix_path)
#   2. build the golden tests, the unit tests of the step path and the benchmark with all cores
#   3. golden_models_tests + golden_adalora_tests with ADALORA_TEST_DEVICE=cuda (TF32 off inside)
#   4. train_step_bench --device cuda: deberta-v3-base and llama-1b, float32 and bf16 autocast
#   5. bench/peft_step_bench.py: PEFT + transformers on the same shapes, then the ratios
# Budget: about 15 min of GPU time in all; the build is the long part (the golden data must be in
# ../shared/golden or ADALORA_GOLDEN_DIR).
#
#   bash scripts/gpu_check.sh [OUT]        (OUT defaults to gpu_check_out)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-gpu_check_out}
mkdir -p "$OUT"
jobs=$(nproc)
status=0
step() {  # step NAME COMMAND...: runs, logs, records the exit code
  local name=$1; shift
  echo "== $name: $*"
  local t0=$SECONDS
  if "$@" >"$OUT/$name.log" 2>&1; then echo "   ok ($((SECONDS - t0)) s)"; else
    local rc=$?; status=1; echo "   FAILED rc=$rc ($((SECONDS - t0)) s); tail of $OUT/$name.log:"
    tail -n 30 "$OUT/$name.log"
  fi
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cxx11_abi', torch._C._GLIBCXX_USE_CXX11_ABI)" | tee "$OUT/torch.txt"
# ProcessGroupGloo.hpp needs gloo's headers; say whether the wheel ships them (src/adalora/dist).
ls "$prefix/../../include/gloo" >/dev/null 2>&1 && echo "gloo headers: present" || echo "gloo headers: ABSENT (dist/ will not compile; see docs/devices.md)"

build=build-cuda
step configure cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DADALORA_BUILD_TESTS=ON -DADALORA_BUILD_BENCH=ON
step build cmake --build "$build" -j "$jobs" --target golden_models_tests golden_adalora_tests \
  unit_core_tests unit_train_tests train_step_bench adalora_cli

export ADALORA_TEST_DEVICE=cuda
step golden_models "$build/tests/golden_models_tests"
step golden_adalora "$build/tests/golden_adalora_tests"
step unit_core "$build/tests/unit_core_tests" --gtest_filter='Device*'
unset ADALORA_TEST_DEVICE
# The CPU step path of the same build (one host read per step; grad_clip == LibTorch's).
step unit_train_step "$build/tests/unit_train_tests" --gtest_filter='TrainerStep*:GradClip*'

common=(--device cuda --shapes deberta-v3-base,llama-1b --batch 8 --seq 128 --warmup 3 --repeats 10)
step bench_ours_fp32 "$build/bench/train_step_bench" "${common[@]}"
step bench_ours_bf16 "$build/bench/train_step_bench" "${common[@]}" --autocast bf16
step bench_peft_fp32 python3 bench/peft_step_bench.py --shapes deberta-v3-base,llama-1b --batch 8 --seq 128 --warmup 3 --repeats 10
step bench_peft_bf16 python3 bench/peft_step_bench.py --shapes deberta-v3-base,llama-1b --batch 8 --seq 128 --warmup 3 --repeats 10 --autocast bf16

# Ours over PEFT per shape, configuration and precision, from the JSON lines above.
python3 - "$OUT" <<'PY' | tee "$OUT/ratios.txt"
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
def rows(name):
    p = out / f"{name}.log"
    if not p.exists(): return {}
    r = {}
    for line in p.read_text().splitlines():
        if line.startswith("{") and '"train_step"' in line:
            j = json.loads(line); r[(j["shape"], j["config"])] = j
    return r
for prec in ("fp32", "bf16"):
    ours, peft = rows(f"bench_ours_{prec}"), rows(f"bench_peft_{prec}")
    print(f"-- {prec}: shape config ours_ms peft_ms ours/peft ours_peak_mb peft_peak_mb")
    for key in sorted(ours):
        if key in peft:
            o, p = ours[key], peft[key]
            print(key[0], key[1], o["step_ms_median"], p["step_ms_median"],
                  round(o["step_ms_median"] / p["step_ms_median"], 3), o["peak_rss_mb"], p["peak_rss_mb"])
PY
echo "gpu_check: $( [ $status = 0 ] && echo all steps passed || echo SOME STEPS FAILED ), logs in $OUT"
exit $status
