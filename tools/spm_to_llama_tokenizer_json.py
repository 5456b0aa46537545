#!/usr/bin/python3
# Optional tooling (never needed to build or test): writes the tokenizer.json HF transformers v4.40
# makes from a SentencePiece BPE model with LlamaConverter (convert_slow_tokenizer.py, legacy=True):
# BPE with byte_fallback and fuse_unk, merges from SentencePieceExtractor (pairs of pieces that
# concatenate to a piece, ordered by that piece's score, ties by the ids of the two halves),
# normalizer Prepend("▁") + Replace(" ", "▁"), decoder Replace + ByteFallback + Fuse + Strip, and
# LlamaTokenizerFast's template (<s> $A). Used by tools/make_spm_bpe_fixtures.sh.
#   /usr/bin/python3 tools/spm_to_llama_tokenizer_json.py MODEL > tokenizer.json
# Needs Debian's python3-sentencepiece (no protobuf module: the model is read through the processor).
import json
import sys

import sentencepiece as spm

sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
n = sp.get_piece_size()
assert [sp.id_to_piece(i) for i in range(3)] == ["<unk>", "<s>", "</s>"], "LlamaConverter expects <unk> <s> </s> first"
vocab_scores = [("<unk>", 0.0), ("<s>", 0.0), ("</s>", 0.0)] + [(sp.id_to_piece(i), sp.get_score(i)) for i in range(3, n)]
vocab = {sp.id_to_piece(i): i for i in range(n)}

merges = []
for merge, score in dict(vocab_scores).items():
    local = [(merge[:k], merge[k:], score) for k in range(1, len(merge)) if merge[:k] in vocab and merge[k:] in vocab]
    merges.extend(sorted(local, key=lambda x: (vocab[x[0]], vocab[x[1]])))
merges = sorted(merges, key=lambda m: m[2], reverse=True)

special = lambda i, c: {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                        "normalized": False, "special": True}
tokenizer = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    "normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": "\u2581"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
    "pre_tokenizer": None,
    "post_processor": {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
    "decoder": {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
    "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
              "vocab": {p: i for i, (p, _) in enumerate(vocab_scores)},
              "merges": [f"{a} {b}" for a, b, _ in merges]},
}
json.dump(tokenizer, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
