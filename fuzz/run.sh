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

golden="${ADALORA_GOLDEN_DIR:-../shared/golden}"
# The repository's real files of each format (seeds; the first byte of glue_tsv and labeled_text
# inputs selects the task / format, see their *_fuzzer.cpp).
real_files() {
  case "$1" in
    json|hf_config) ls tests/fixtures/peft/*/*/config.json models/*/config.json "$golden"/models/*/config.json ;;
    adapter_config) ls tests/fixtures/peft/*/adapter/adapter_config.json "$golden"/adalora/saved_adapter_*/adapter_config.json ;;
    safetensors) ls tests/fixtures/peft/*/adapter/adapter_model.safetensors "$golden"/adalora/saved_adapter_*/adapter_model.safetensors ;;
    tokenizer_json) ls tests/fixtures/tokenizers/spm_bpe/*.tokenizer.json ;;
    sentencepiece) ls tests/fixtures/tokenizers/spm_bpe/llama_like.model tests/fixtures/tokenizers/spm_bpe/user_symbols.model ;;
    squad) ls "$golden"/metrics/squad_v*/dataset.json ;;
    wordpiece_vocab) ls models/*/vocab.txt ;;
  esac 2>/dev/null || true
}
seed_corpus() {  # <format> <dir>
  local format="$1" dir="$2" i task
  mkdir -p "$dir"
  [ -d "fuzz/seeds/$format" ] && cp fuzz/seeds/"$format"/* "$dir"/ 2>/dev/null || true
  for f in $(real_files "$format"); do cp "$f" "$dir/real_$(echo "$f" | tr '/.' '__')"; done
  case "$format" in
    glue_tsv)
      i=0
      for task in CoLA SST-2 MRPC QQP STS-B MNLI QNLI RTE; do
        for f in tests/fixtures/glue/"$task"/*.tsv; do
          [ -f "$f" ] && { printf "$(printf '\\x%02x' $i)"; cat "$f"; } > "$dir/${task}_$(basename "$f")"
        done
        i=$((i + 1))
      done ;;
    labeled_text)
      { printf '\x00'; cat tests/fixtures/glue/generic/train.jsonl; } > "$dir/train_jsonl"
      { printf '\x01'; cat tests/fixtures/glue/generic/dev.csv; } > "$dir/dev_csv" ;;
  esac
}

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
