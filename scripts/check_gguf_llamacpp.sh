#!/usr/bin/env bash
# Checks `adalora export --to gguf` against llama.cpp itself (docs/export.md#gguf): a tiny random
# LLaMA (grouped-query attention) converted by llama.cpp's convert_hf_to_gguf.py, PEFT-made LoRA
# (with rank_pattern / alpha_pattern, and plain) and AdaLoRA adapters exported by us, llama.cpp's
# logits (libllama, base + adapter at scale 1) against `adalora logits` (base + PEFT adapter), and
# our GGUF against convert_lora_to_gguf.py's on the plain LoRA (logits in llama.cpp, and structure
# through npm @huggingface/gguf). Not in the default test run.
#
#   bash scripts/check_gguf_llamacpp.sh
#
# Needs: npm (the registry: node-llama-cpp carries llama.cpp's source as a git bundle), cmake, a C++
# compiler, Debian's python3-torch / python3-numpy / python3-sentencepiece, and transformers 4.40.2 +
# PEFT as in ../shared/tools/python-reference/README.md (HFDEPS, PEFTSRC below). build/adalora must
# be built (cmake --build build --target adalora_cli).
#
# Environment: WORK (default /tmp/adalora-llamacpp), HFDEPS, PEFTSRC, ADALORA (default build/adalora),
# JOBS (default 1), LLAMA_CPP_FROM=source (default: cmake build of the bundle, CPU only) or prebuilt
# (the same release's CPU libraries from npm @node-llama-cpp/linux-x64, minutes instead of an hour
# on a busy 2-core machine), TOLERANCE (default 1e-4).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/adalora-llamacpp}
ADALORA=${ADALORA:-$ROOT/build/adalora}
JOBS=${JOBS:-1}
FROM=${LLAMA_CPP_FROM:-source}
TOLERANCE=${TOLERANCE:-1e-4}
VERSION=3.22.1  # node-llama-cpp; its bundle is llama.cpp release v0.5.0
PYREF=${PYREF:-$ROOT/../shared/tools/python-reference}
: "${HFDEPS:?set HFDEPS (transformers + huggingface_hub, ../shared/tools/python-reference/README.md)}"
: "${PEFTSRC:?set PEFTSRC (the folder holding peft/)}"
[ -x "$ADALORA" ] || { echo "build $ADALORA first (cmake --build build --target adalora_cli)"; exit 2; }
mkdir -p "$WORK"
cd "$WORK"

# 1. llama.cpp's source, from the git bundle node-llama-cpp ships.
if [ ! -d llama.cpp ]; then
  npm pack "node-llama-cpp@$VERSION" >/dev/null
  tar xzf "node-llama-cpp-$VERSION.tgz" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
  git clone -q package/llama/gitRelease.bundle llama.cpp
fi
echo "llama.cpp: $(cat package/llama/llama.cpp.info.json | tr -d '\n ')"

# 2. libllama and our 60-line logits program against it.
TOOL=$ROOT/tools/llama_cpp_check/llama_lora_logits.cpp
INCLUDES="-I llama.cpp/include -I llama.cpp/ggml/include"
if [ "$FROM" = source ]; then
  if [ ! -f llama.cpp/build/src/libllama.a ]; then
    cmake -S llama.cpp -B llama.cpp/build -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF \
      -DLLAMA_CURL=OFF -DGGML_OPENMP=OFF -DGGML_NATIVE=ON >/dev/null
    nice -n 19 cmake --build llama.cpp/build -j"$JOBS" --target llama
  fi
  mkdir -p bin
  g++ -std=c++17 -O2 $INCLUDES "$TOOL" -o bin/llama_lora_logits -L llama.cpp/build/src -L llama.cpp/build/ggml/src \
    -lllama -lggml -lggml-cpu -lggml-base -lpthread -ldl -lm
else
  if [ ! -d prebuilt ]; then
    npm pack "@node-llama-cpp/linux-x64@$VERSION" >/dev/null
    mkdir -p prebuilt && tar xzf "node-llama-cpp-linux-x64-$VERSION.tgz" -C prebuilt
  fi
  rm -rf bin && cp -r prebuilt/package/bins/linux-x64 bin  # ggml loads its CPU backend from the tool's folder
  g++ -std=c++17 -O2 $INCLUDES "$TOOL" -o bin/llama_lora_logits -L bin -l:libllama.v0.5.0.so \
    -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,'$ORIGIN'
fi
LLAMA="$WORK/bin/llama_lora_logits"

# 3. The tiny LLaMA, its GGUF by convert_hf_to_gguf.py, and PEFT's adapters.
export PYTHONPATH="$WORK/llama.cpp/gguf-py:$PYREF/autoshim:$HFDEPS:$PEFTSRC"
rm -rf case
/usr/bin/python3 "$ROOT/tools/llama_cpp_check/make_case.py" "$WORK/llama.cpp" case 2>&1 | grep -v "^Writing" || true
[ -f case/base.gguf ] || { echo "make_case.py failed"; exit 1; }

# 4. Logits: llama.cpp vs adalora, base alone and each adapter.
ids() { sed 's/.*/{"input_ids": [&]}/' case/ids.txt; }
status=0
"$LLAMA" case/base.gguf < case/ids.txt 2>case/llama_base.log > case/llama_base.jsonl
ids | "$ADALORA" logits --model case/base > case/ours_base.jsonl
/usr/bin/python3 "$ROOT/tools/llama_cpp_check/compare_logits.py" "base (no adapter)" case/llama_base.jsonl \
  case/ours_base.jsonl "$TOLERANCE" || status=1
for adapter in lora lora_plain adalora; do
  for dtype in f32 f16; do
    "$ADALORA" export --to gguf --adapter case/$adapter --model case/base --dtype $dtype --out case/$adapter.$dtype.gguf
    "$LLAMA" case/base.gguf case/$adapter.$dtype.gguf < case/ids.txt 2>case/llama_$adapter.$dtype.log \
      > case/llama_$adapter.$dtype.jsonl
  done
  ids | "$ADALORA" logits --model case/base --adapter case/$adapter > case/ours_$adapter.jsonl
  /usr/bin/python3 "$ROOT/tools/llama_cpp_check/compare_logits.py" "$adapter F32 GGUF" \
    case/llama_$adapter.f32.jsonl case/ours_$adapter.jsonl "$TOLERANCE" || status=1
  /usr/bin/python3 "$ROOT/tools/llama_cpp_check/compare_logits.py" "$adapter F16 GGUF" \
    case/llama_$adapter.f16.jsonl case/ours_$adapter.jsonl 0.1 || status=1  # F16 storage rounds lora_a / lora_b
done

# 5. Our GGUF against llama.cpp's own convert_lora_to_gguf.py (plain LoRA: it ignores rank_pattern /
#    alpha_pattern, so only an adapter with one r and alpha is comparable).
if (cd llama.cpp && /usr/bin/python3 "$ROOT/tools/llama_cpp_check/torch_compat.py" convert_lora_to_gguf.py --base "$WORK/case/base" --outtype f32 \
      --outfile "$WORK/case/lora_plain.theirs.gguf" "$WORK/case/lora_plain" > "$WORK/case/convert_lora.log" 2>&1); then
  "$LLAMA" case/base.gguf case/lora_plain.theirs.gguf < case/ids.txt 2>/dev/null > case/llama_lora_plain.theirs.jsonl
  /usr/bin/python3 "$ROOT/tools/llama_cpp_check/compare_logits.py" "lora_plain: ours vs convert_lora_to_gguf.py" \
    case/llama_lora_plain.f32.jsonl case/llama_lora_plain.theirs.jsonl 1e-6 || status=1
  # 6. The same two files through HuggingFace's GGUF parser (npm @huggingface/gguf): tensor names,
  #    shapes (ne), types and the adapter metadata must agree (offsets and tensor order may differ).
  if [ ! -d hfgguf/node_modules/@huggingface/gguf ]; then
    mkdir -p hfgguf && (cd hfgguf && npm install --no-audit --no-fund @huggingface/gguf@0.4.6 >/dev/null)
  fi
  structure() {
    node "$ROOT/tools/llama_cpp_check/gguf_structure.mjs" hfgguf/node_modules/@huggingface/gguf "$1" |
      grep -E "^tensor|adapter\.|general\.(type|architecture)" | sed 's/ offset=.*//' | sort
  }
  if diff <(structure case/lora_plain.f32.gguf) <(structure case/lora_plain.theirs.gguf); then
    echo "lora_plain: @huggingface/gguf reads the same tensors, shapes, types and adapter metadata in both files"
  else
    echo "lora_plain: structures differ (above)"; status=1
  fi
else
  echo "convert_lora_to_gguf.py did not run here (case/convert_lora.log); steps 5 and 6 skipped"
fi
[ $status = 0 ] && echo "PASS: llama.cpp gives our logits" || echo "FAIL"
exit $status
