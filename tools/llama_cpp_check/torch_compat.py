"""Runs one of llama.cpp's Python scripts on Debian's torch 1.13, which lacks dtypes the converters
list in lookup tables (float8 and unsigned integer types, never used for F32/F16 models here):
placeholders stand in for them. Used by make_case.py, and as

    python3 torch_compat.py SCRIPT.py ARGS...     (scripts/check_gguf_llamacpp.sh: convert_lora_to_gguf.py)
"""
import runpy
import sys

import torch


def add_missing_dtypes():
    for missing in ("float8_e4m3fn", "float8_e5m2", "float8_e8m0fnu", "uint16", "uint32", "uint64"):
        if not hasattr(torch, missing):
            setattr(torch, missing, type(missing, (), {})())


if __name__ == "__main__":
    add_missing_dtypes()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path.insert(0, script.rsplit("/", 1)[0] if "/" in script else ".")
    runpy.run_path(script, run_name="__main__")
