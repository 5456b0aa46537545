#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake/fuzzing.cmake) and fuzzes each parser for SECONDS.
#   fuzz/run.sh [SECONDS] [FORMAT...]     default: 20 s each, every format in fuzz/CMakeLists.txt
# First every saved reproducer in fuzz/regressions/<format>/ is replayed (a fixed crash that comes
# back fails the run), then the fuzzer runs on a corpus seeded from fuzz/seeds/<format>/ and the
# real files of the repository (tests/fixtures, models/, ../shared/golden when present).
# Exit status 1 when any target crashed; the reproducer is left in build-fuzz/findings/<format>/.
# Needs clang and libFuzzer: ADALORA_FUZZ=1 bash scripts/setup.sh.
# Environment: ADALORA_FUZZ_BUILD (build folder, default build-fuzz), FUZZ_JOBS (build jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
build="${ADALORA_FUZZ_BUILD:-build-fuzz}"
formats=("$@")
if ((${#formats[@]} == 0)); then
  mapfile -t formats < <(sed -n 's/^adalora_add_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DADALORA_FUZZ=ON \
    -DADALORA_BUILD_TESTS=OFF -DADALORA_BUILD_BENCH=OFF
fi
cmake --build "$build" -j "${FUZZ_JOBS:-$(nproc)}" --target "${formats[@]/#/fuzz_}"

# seed_corpus <format> <dir>: fuzz/seeds/<format>/ plus the repository's real files of the format.
source fuzz/corpus.sh

failed=()
for format in "${formats[@]}"; do
  exe="$build/fuzz/fuzz_$format"
  corpus="$build/corpus/$format"
  findings="$build/findings/$format"
  mkdir -p "$findings"
  seed_corpus "$format" "$corpus"
  dict=()
  case "$format" in
    json|hf_config|adapter_config|tokenizer_json|squad|safetensors_index|wordpiece_vocab|bpe_vocab)
      dict=(-dict=fuzz/dicts/json.dict) ;;
    sentencepiece) dict=(-dict=fuzz/dicts/protobuf.dict) ;;
  esac
  if compgen -G "fuzz/regressions/$format/*" > /dev/null; then
    "$exe" fuzz/regressions/"$format"/* > "$findings/regressions.log" 2>&1 ||
      { echo "fuzz $format: a saved reproducer crashes again (see $findings/regressions.log)"; failed+=("$format"); continue; }
  fi
  log="$findings/fuzz.log"
  if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$findings/" "${dict[@]}" "$corpus" > "$log" 2>&1; then
    status=ok
  else
    status=CRASH; failed+=("$format")
  fi
  # The last status line: #execs, cov (edges), ft (features), corp (corpus entries/bytes), exec/s.
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 | tr -s ' \t' ' ')
  echo "fuzz $format: $status ${seconds}s | $last"
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]} (reproducers and logs in $build/findings/)" >&2
  exit 1
fi
