#!/usr/bin/env python3
"""Writes tests/fixtures/peft/: tiny random encoders and adapters saved by HuggingFace PEFT itself,
with PEFT's logits, so that the C++ tests check that `adalora` loads what PEFT writes.

Optional tooling (not part of the product or the default test run). Needs transformers v4.40.2 and
PEFT (commit 5d602fd) on Debian's PyTorch: see ../shared/tools/python-reference/README.md.

    PYTHONPATH=<autoshim>:<HFDEPS>:<PEFTSRC> /usr/bin/python3 tools/peft_fixtures/make_fixtures.py \
        tests/fixtures/peft

Each case folder holds base/ (config.json + model.safetensors, F32), adapter/ (PEFT's
adapter_config.json + adapter_model.safetensors, F32) and expected.safetensors: input_ids,
attention_mask (int64 [B, T]) and logits (float64 [B, num_labels]) of PeftModel in float64, eval
mode. `python3 make_fixtures.py --check DIR` reloads every case with PeftModel.from_pretrained and
compares with expected.safetensors (the other direction: run it on folders `adalora` wrote).
"""
import argparse
import json
import os
import sys

import torch
import transformers
import peft
from safetensors.torch import load_file, save_file

# PEFT's model-card writer needs a newer huggingface_hub than transformers v4.40.2 pins; no card.
peft.PeftModel.create_or_update_model_card = lambda self, output_dir: None

COMMON = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=64, max_position_embeddings=64, hidden_act="gelu",
              initializer_range=0.2, id2label={0: "neg", 1: "neu", 2: "pos"},
              label2id={"neg": 0, "neu": 1, "pos": 2})
ARCH = {
    "bert": (transformers.BertConfig, dict(type_vocab_size=2, layer_norm_eps=1e-12)),
    "roberta": (transformers.RobertaConfig,
                dict(type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0,
                     eos_token_id=2, max_position_embeddings=66)),
    "deberta-v2": (transformers.DebertaV2Config,
                   dict(relative_attention=True, position_buckets=8, norm_rel_ebd="layer_norm",
                        share_att_key=True, pos_att_type=["p2c", "c2p"],
                        position_biased_input=False, type_vocab_size=0, layer_norm_eps=1e-7)),
}

# name: (architecture, PEFT config kwargs, AdaLoRA training steps to run before saving)
CASES = {
    "bert_lora_seq_cls": ("bert", dict(
        peft_type="LORA", task_type="SEQ_CLS", r=4, lora_alpha=8, target_modules=["query", "value"]), 0),
    "roberta_lora_patterns": ("roberta", dict(
        peft_type="LORA", task_type="SEQ_CLS", r=4, lora_alpha=8,
        target_modules=["query", "value", "dense"],  # PEFT skips classifier.dense (modules_to_save)
        rank_pattern={"attention.output.dense": 2, "layer.1.output.dense": 6},
        alpha_pattern={"query": 16, "intermediate.dense": 3}), 0),
    "bert_lora_layers_no_head": ("bert", dict(
        peft_type="LORA", task_type=None, r=3, lora_alpha=6, target_modules=["query", "key", "dense"],
        layers_to_transform=[1], layers_pattern="layer"), 0),
    "deberta_adalora_seq_cls": ("deberta-v2", dict(
        peft_type="ADALORA", task_type="SEQ_CLS", init_r=4, target_r=2, lora_alpha=8,
        target_modules=["query_proj", "value_proj", "dense"], tinit=1, tfinal=2, deltaT=1,
        total_step=6, orth_reg_weight=0.1), 6),
    "bert_adalora_layers": ("bert", dict(
        peft_type="ADALORA", task_type="SEQ_CLS", init_r=3, target_r=1, lora_alpha=4,
        target_modules=["query", "value"], layers_to_transform=[0], tinit=1, tfinal=1, deltaT=1,
        total_step=4), 4),
}


def make_config(arch):
    cls, extra = ARCH[arch]
    return cls(**{**COMMON, **extra})


def inputs():
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(3, 100, (3, 9), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 6:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = 0
    return ids, mask


def peft_config(kwargs):
    kwargs = dict(kwargs)
    kind = kwargs.pop("peft_type")
    cls = peft.LoraConfig if kind == "LORA" else peft.AdaLoraConfig
    return cls(**kwargs)


def build_case(name, out_dir):
    arch, kwargs, steps = CASES[name]
    torch.manual_seed(sum(map(ord, name)))
    base = transformers.AutoModelForSequenceClassification.from_config(make_config(arch))
    base.eval()
    case = os.path.join(out_dir, name)
    base.save_pretrained(os.path.join(case, "base"), safe_serialization=True)
    model = peft.get_peft_model(base, peft_config(kwargs))
    ids, mask = inputs()
    if steps:  # AdaLoRA: a few real steps so that PEFT masks and records rank_pattern
        model.train()
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
        for step in range(steps):
            out = model(input_ids=ids, attention_mask=mask, labels=torch.tensor([0, 1, 2]))
            out.loss.backward()
            opt.step()
            model.base_model.update_and_allocate(step)
            opt.zero_grad()
        model.eval()
    with torch.no_grad():  # move every adapter away from its no-op start
        g = torch.Generator().manual_seed(1)
        for n, p in model.named_parameters():
            if p.requires_grad and "lora_E" not in n:
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
            elif "lora_E" in n:
                p.add_(torch.randn(p.shape, generator=g) * 0.5)
        if steps:  # keep AdaLoRA's masked triplets at zero, as training leaves them
            for n, p in model.named_parameters():
                if "lora_E" in n:
                    key = n.replace(".default", "").replace("base_model.model.", "")
                    pattern = model.peft_config["default"].rank_pattern or {}
                    if key in pattern:
                        p.mul_(torch.tensor(pattern[key], dtype=p.dtype).view(-1, 1))
    model.save_pretrained(os.path.join(case, "adapter"), safe_serialization=True)
    # Reload as a user would, then run in float64.
    base = transformers.AutoModelForSequenceClassification.from_pretrained(os.path.join(case, "base"))
    loaded = peft.PeftModel.from_pretrained(base, os.path.join(case, "adapter")).double().eval()
    with torch.no_grad():
        logits = loaded(input_ids=ids, attention_mask=mask).logits
    save_file({"input_ids": ids, "attention_mask": mask, "logits": logits.contiguous()},
              os.path.join(case, "expected.safetensors"))
    print(f"{name}: logits {tuple(logits.shape)}, adapter {sorted(os.listdir(os.path.join(case, 'adapter')))}")


def check(dir_):
    """PEFT's logits for an adapter folder `adalora` wrote ({dir}/base, {dir}/adapter, expected)."""
    worst = 0.0
    for name in sorted(os.listdir(dir_)):
        case = os.path.join(dir_, name)
        if not os.path.isdir(os.path.join(case, "adapter")):
            continue
        base = transformers.AutoModelForSequenceClassification.from_pretrained(os.path.join(case, "base"))
        model = peft.PeftModel.from_pretrained(base, os.path.join(case, "adapter")).double().eval()
        exp = load_file(os.path.join(case, "expected.safetensors"))
        with torch.no_grad():
            logits = model(input_ids=exp["input_ids"], attention_mask=exp["attention_mask"]).logits
        diff = (logits - exp["logits"].double()).abs().max().item()
        worst = max(worst, diff)
        print(f"{name}: max |PEFT - expected| = {diff:.3g}")
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--check", action="store_true", help="compare PEFT with expected.safetensors")
    ap.add_argument("--tolerance", type=float, default=1e-6)
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.out_dir) <= args.tolerance else 1)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in CASES:
        build_case(name, args.out_dir)
    with open(os.path.join(args.out_dir, "versions.json"), "w") as f:
        json.dump({"transformers": transformers.__version__, "peft": peft.__version__,
                   "torch": torch.__version__}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
