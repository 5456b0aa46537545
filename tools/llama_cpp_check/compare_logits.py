#!/usr/bin/env python3
"""max |a − b| over two JSONL logits files of scripts/check_gguf_llamacpp.sh; exit 1 above TOL.

    compare_logits.py NAME A.jsonl B.jsonl TOL
"""
import json
import sys

name, a_path, b_path, tol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
worst, count = 0.0, 0
with open(a_path) as fa, open(b_path) as fb:
    a_lines, b_lines = fa.read().split("\n"), fb.read().split("\n")
a_lines, b_lines = [l for l in a_lines if l.strip()], [l for l in b_lines if l.strip()]
if len(a_lines) != len(b_lines) or not a_lines:
    sys.exit(f"{name}: {len(a_lines)} vs {len(b_lines)} sequences")
for la, lb in zip(a_lines, b_lines):
    xa, xb = json.loads(la)["logits"], json.loads(lb)["logits"]
    if len(xa) != len(xb) or any(len(r) != len(s) for r, s in zip(xa, xb)):
        sys.exit(f"{name}: shapes differ")
    for r, s in zip(xa, xb):
        for u, v in zip(r, s):
            worst = max(worst, abs(u - v))
            count += 1
print(f"{name}: max |diff| = {worst:.3g} over {count} logits (tolerance {tol:g})")
sys.exit(0 if worst <= tol else 1)
