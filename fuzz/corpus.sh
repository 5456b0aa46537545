# The corpus of each fuzz format, shared by fuzz/run.sh (libFuzzer) and fuzz/replay.sh (CI's
# replay under the sanitizer build): fuzz/seeds/<format>/ plus the repository's real files of that
# format. Sourced, not run.
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
