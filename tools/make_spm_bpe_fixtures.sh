#!/usr/bin/env bash
# Optional tooling (never needed to build or test): regenerates tests/fixtures/tokenizers/spm_bpe/,
# small SentencePiece BPE models trained on data/corpus/pretrain.txt and SentencePiece's own answers
# for them (spm_encode / spm_decode of Debian's `sentencepiece` 0.1.97), which
# tests/unit/tokenizers/sentencepiece_bpe_test.cpp compares with our tokenizer id for id.
#   apt-get install sentencepiece
#   bash tools/make_spm_bpe_fixtures.sh
# Per model: <name>.model, <name>.cmd (the exact spm_train command), and for every line of cases.txt
# the ids (<name>.ids), the pieces (<name>.pieces, for readable failures) and the decoded ids
# (<name>.decoded). The hard strings are in cases.txt, one per line (the empty line is a case).
# Also llama_like.tokenizer.json (HF's conversion) with HF tokenizers' ids and decodes for it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/tokenizers/spm_bpe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The first 30,000 lines (Austen, then the KJV): enough for 2,000 pieces, seconds to train.
head -n 30000 data/corpus/pretrain.txt > "$work/corpus.txt"

# Rules for the custom normaliser: full-width letters/digits, a ligature, a two-character key
# (e + combining acute) and a longer key sharing its prefix, so that longest-match matters.
printf '%s\t%s\n' \
  'FF21' '41' 'FF22' '42' 'FF23' '43' 'FF11' '31' 'FF12' '32' 'FF13' '33' 'FB01' '66 69' \
  '65 301' 'E9' '65 301 301' '45' '2026' '2E 2E 2E' '9' '20' 'A0' '20' > "$work/rules.tsv"

train() {  # name, then the spm_train flags after --input/--model_prefix/--model_type
  local name=$1; shift
  # Run in $work with relative paths: the trainer_spec stored in the model records them.
  (cd "$work" && spm_train --input=corpus.txt --model_prefix="$name" --model_type=bpe "$@" > "$name.log" 2>&1)
  cp "$work/$name.model" "$out/$name.model"
  { echo "head -n 30000 data/corpus/pretrain.txt > corpus.txt"
    printf 'spm_train --input=corpus.txt --model_prefix=%s --model_type=bpe' "$name"
    printf ' %q' "$@"; echo; } > "$out/$name.cmd"
  spm_encode --model="$out/$name.model" --output_format=id < "$out/cases.txt" > "$out/$name.ids"
  spm_encode --model="$out/$name.model" --output_format=piece < "$out/cases.txt" > "$out/$name.pieces"
  spm_decode --model="$out/$name.model" --input_format=id < "$out/$name.ids" > "$out/$name.decoded"
}

# LLaMA's settings (its tokenizer.model's trainer_spec): identity normalisation, dummy prefix,
# whitespace kept, digits split, byte fallback.
train llama_like --vocab_size=1000 --byte_fallback=true --normalization_rule_name=identity \
  --add_dummy_prefix=true --remove_extra_whitespaces=false --split_digits=true \
  --allow_whitespace_only_pieces=true --character_coverage=0.9999
# SentencePiece's defaults otherwise: extra whitespace removed, no byte fallback (unknowns → <unk>,
# runs fused), user-defined and control symbols, a custom normalisation table.
cp "$work/rules.tsv" "$out/rules.tsv"  # the .cmd refers to it
train user_symbols --vocab_size=500 --normalization_rule_tsv=rules.tsv \
  --user_defined_symbols='<sep>,[MASK],▁▁,ab' --control_symbols='<ctrl>'
# NFKC, whitespace as a suffix, byte fallback, ids of unk/bos/eos moved (no bos).
train nfkc_suffix --vocab_size=2000 --byte_fallback=true --normalization_rule_name=nfkc \
  --treat_whitespace_as_suffix=true --bos_id=-1 --eos_id=1 --unk_id=2

# The tokenizer.json HF transformers makes of llama_like.model (LlamaConverter), and HF tokenizers'
# answers on it; only when npm tokenizers@0.23.2 is installed (NODE_PATH, e.g. /tmp/node_modules).
if node -e "require('tokenizers')" 2> /dev/null; then
  /usr/bin/python3 tools/spm_to_llama_tokenizer_json.py "$out/llama_like.model" > "$out/llama_like.tokenizer.json"
  node tools/hf_encode_lines.js "$out/llama_like.tokenizer.json" "$out/cases.txt" \
    "$out/llama_like.hf_ids" "$out/llama_like.hf_decoded"
else
  echo "npm tokenizers not found (NODE_PATH): llama_like.tokenizer.json and its HF answers not regenerated" >&2
fi
