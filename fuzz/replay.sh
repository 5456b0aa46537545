#!/usr/bin/env bash
# Replays every fuzz format's saved reproducers (fuzz/regressions/<format>/) and its seed corpus
# (fuzz/corpus.sh: fuzz/seeds/<format>/ plus the repository's real files) once each through
# fuzz_replay_<format> — the fuzz targets built without libFuzzer (-DADALORA_FUZZ_REPLAY=ON), for
# CI's sanitizer build. No fuzzing: new inputs need clang and fuzz/run.sh.
#   fuzz/replay.sh BUILD_DIR [FORMAT...]    default: every fuzz_replay_<format> built in BUILD_DIR
# Exit status 1 when any input crashed (the program's report names the file).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:?usage: fuzz/replay.sh BUILD_DIR [FORMAT...]}"
shift
formats=("$@")
if ((${#formats[@]} == 0)); then
  for exe in "$build"/fuzz/fuzz_replay_*; do
    [ -x "$exe" ] && formats+=("${exe##*/fuzz_replay_}")
  done
fi
((${#formats[@]})) || { echo "replay: no fuzz_replay_* programs in $build/fuzz (configure with -DADALORA_FUZZ_REPLAY=ON)" >&2; exit 1; }

source fuzz/corpus.sh

failed=()
for format in "${formats[@]}"; do
  corpus="$build/replay_corpus/$format"
  rm -rf "$corpus"
  seed_corpus "$format" "$corpus"
  inputs=("$corpus")
  [ -d "fuzz/regressions/$format" ] && inputs+=("fuzz/regressions/$format")
  start=$EPOCHREALTIME
  if out=$("$build/fuzz/fuzz_replay_$format" "${inputs[@]}" 2>&1); then
    printf 'replay %s: ok, %s in %.1f s\n' "$format" "${out##*replayed }" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
  else
    echo "replay $format: CRASH"; echo "$out" | tail -40; failed+=("$format")
  fi
done
if ((${#failed[@]})); then
  echo "replay: crashes in ${failed[*]}" >&2
  exit 1
fi
