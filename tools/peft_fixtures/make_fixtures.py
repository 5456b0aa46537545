#!/usr/bin/env python3
"""Writes tests/fixtures/peft/: tiny random encoders and adapters saved by HuggingFace PEFT itself,
with PEFT's logits, so that the C++ tests check that `adalora` loads what PEFT writes.

Optional tooling (not part of the product or the default test run). Needs transformers v4.40.2 and
PEFT (commit 5d602fd) on Debian's PyTorch: see ../shared/tools/python-reference/README.md.

    PYTHONPATH=<autoshim>:<HFDEPS>:<PEFTSRC> /usr/bin/python3 tools/peft_fixtures/make_fixtures.py \
        tests/fixtures/peft

Each case folder holds base/ (config.json + model.safetensors, F32), adapter/ (PEFT's
adapter_config.json + adapter_model.safetensors, F32) and expected.safetensors: input_ids,
attention_mask (int64 [B, T]) and logits (float64) of PeftModel in float64, eval mode —
[B, num_labels] for SEQ_CLS, [B, T, V] for CAUSAL_LM, [B, T_dec, V] for SEQ_2_SEQ_LM (with
decoder_input_ids [B, T_dec]). The model class follows the adapter's task_type. `python3 make_fixtures.py --check DIR` reloads every case with PeftModel.from_pretrained and
compares with expected.safetensors (the other direction: run it on folders `adalora` wrote).
"""
import argparse
import contextlib
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

# Decoders and an encoder-decoder for CAUSAL_LM / SEQ_2_SEQ_LM cases (vocab 64, hidden 16, 2 layers:
# logits [B, T, V] are stored, so smaller than the classifiers).
GENERATIVE = {
    "llama": lambda: transformers.LlamaConfig(
        vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, initializer_range=0.2,
        pad_token_id=0, bos_token_id=1, eos_token_id=2),
    "gpt2": lambda: transformers.GPT2Config(
        vocab_size=64, n_embd=16, n_layer=2, n_head=4, n_inner=32, n_positions=64, initializer_range=0.2,
        bos_token_id=1, eos_token_id=2),
    "bart": lambda: transformers.BartConfig(
        vocab_size=64, d_model=16, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
        init_std=0.2, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        forced_eos_token_id=2),
}
AUTO = {"SEQ_CLS": transformers.AutoModelForSequenceClassification, None: transformers.AutoModelForSequenceClassification,
        "CAUSAL_LM": transformers.AutoModelForCausalLM, "SEQ_2_SEQ_LM": transformers.AutoModelForSeq2SeqLM}

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
    "llama_lora_causal_lm": ("llama", dict(
        peft_type="LORA", task_type="CAUSAL_LM", r=4, lora_alpha=8,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        rank_pattern={"k_proj": 2}, alpha_pattern={"down_proj": 3}), 0),
    "llama_adalora_causal_lm": ("llama", dict(
        peft_type="ADALORA", task_type="CAUSAL_LM", init_r=3, target_r=1, lora_alpha=6,
        target_modules=["q_proj", "v_proj", "down_proj"], tinit=1, tfinal=1, deltaT=1, total_step=4), 4),
    "gpt2_lora_fan_in_fan_out": ("gpt2", dict(
        peft_type="LORA", task_type="CAUSAL_LM", r=4, lora_alpha=8, target_modules=["c_attn"],
        fan_in_fan_out=True), 0),
    "bart_lora_seq2seq": ("bart", dict(
        peft_type="LORA", task_type="SEQ_2_SEQ_LM", r=4, lora_alpha=8,
        target_modules=["q_proj", "v_proj", "fc1"]), 0),
}


def make_config(arch):
    if arch in GENERATIVE:
        return GENERATIVE[arch]()
    cls, extra = ARCH[arch]
    return cls(**{**COMMON, **extra})


def inputs(vocab=100):
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(3, vocab, (3, 9), generator=g)
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


@contextlib.contextmanager
def float64_default():
    """BART's causal mask in 4.40.2 is torch.full(…, finfo(float64).min) without a dtype: under
    torch 1.13 that needs float64 as the default dtype when the model runs in float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def model_inputs(task, ids, mask):
    """The forward inputs of a case: seq2seq adds decoder_input_ids (shifted ids, BART's start 2)."""
    if task != "SEQ_2_SEQ_LM":
        return dict(input_ids=ids, attention_mask=mask)
    dec = torch.cat([torch.full((ids.shape[0], 1), 2), ids[:, :5]], dim=1)
    return dict(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)


def training_labels(task, ids):
    return torch.tensor([0, 1, 2]) if task in (None, "SEQ_CLS") else ids


def build_case(name, out_dir):
    arch, kwargs, steps = CASES[name]
    task = kwargs.get("task_type")
    auto = AUTO[task]
    torch.manual_seed(sum(map(ord, name)))
    base = auto.from_config(make_config(arch))
    base.eval()
    case = os.path.join(out_dir, name)
    base.save_pretrained(os.path.join(case, "base"), safe_serialization=True)
    model = peft.get_peft_model(base, peft_config(kwargs))
    ids, mask = inputs(base.config.vocab_size)
    if steps:  # AdaLoRA: a few real steps so that PEFT masks and records rank_pattern
        model.train()
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
        for step in range(steps):
            out = model(**model_inputs(task, ids, mask), labels=training_labels(task, ids))
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
    base = auto.from_pretrained(os.path.join(case, "base"))
    loaded = peft.PeftModel.from_pretrained(base, os.path.join(case, "adapter")).double().eval()
    forward = model_inputs(task, ids, mask)
    with torch.no_grad(), float64_default():
        logits = loaded(**forward).logits
    save_file({**forward, "logits": logits.contiguous()}, os.path.join(case, "expected.safetensors"))
    print(f"{name}: logits {tuple(logits.shape)}, adapter {sorted(os.listdir(os.path.join(case, 'adapter')))}")


def check(dir_):
    """PEFT's logits for an adapter folder `adalora` wrote ({dir}/base, {dir}/adapter, expected)."""
    worst = 0.0
    for name in sorted(os.listdir(dir_)):
        case = os.path.join(dir_, name)
        if not os.path.isdir(os.path.join(case, "adapter")):
            continue
        with open(os.path.join(case, "adapter", "adapter_config.json")) as f:
            task = json.load(f).get("task_type")
        base = AUTO[task].from_pretrained(os.path.join(case, "base"))
        model = peft.PeftModel.from_pretrained(base, os.path.join(case, "adapter")).double().eval()
        exp = load_file(os.path.join(case, "expected.safetensors"))
        with torch.no_grad(), float64_default():
            logits = model(**{k: v for k, v in exp.items() if k != "logits"}).logits
        diff = (logits - exp["logits"].double()).abs().max().item()
        worst = max(worst, diff)
        print(f"{name}: max |PEFT - expected| = {diff:.3g}")
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--check", action="store_true", help="compare PEFT with expected.safetensors")
    ap.add_argument("--tolerance", type=float, default=1e-6)
    ap.add_argument("--only", nargs="*", help="build only these cases (default: all)")
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.out_dir) <= args.tolerance else 1)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.only or CASES:
        build_case(name, args.out_dir)
    with open(os.path.join(args.out_dir, "versions.json"), "w") as f:
        json.dump({"transformers": transformers.__version__, "peft": peft.__version__,
                   "torch": torch.__version__}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
