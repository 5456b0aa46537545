#!/usr/bin/env python3
"""PEFT's side of train_step_bench (issue 18): the same shapes, configurations and step on a GPU
with HuggingFace transformers + PEFT, printing the same JSON lines, so that scripts/gpu_check.sh can
put ours over theirs. Optional tooling, never needed to build or test the project (no Python in the
product). NOT RUN YET: written on a machine without a GPU or PyTorch (docs/devices.md).

One step = forward (+ AdaLoRA's orthogonal penalty, which PEFT adds inside forward when labels are
given) + backward + AdamW step (+ update_and_allocate) + zero_grad, then torch.cuda.synchronize().
Configurations as bench/train_step_bench.cpp: frozen (only the bottom norm trains), lora (r = 12),
adalora_warmup / adalora_budgeting (ΔT = 1: a mask every step) / adalora_final (12 → 8,
tinit = tfinal = 100 of 1000 steps). Models are random-initialised from the public configs'
shapes. Peak memory: torch.cuda.max_memory_allocated per configuration, one at a time.

  python3 bench/peft_step_bench.py [--shapes deberta-v3-base,llama-1b] [--batch 8] [--seq 128]
                                   [--warmup 3] [--repeats 10] [--autocast none|bf16]
"""
import argparse
import json
import statistics
import time

import torch
import transformers
import peft

SHAPES = {
    "bert-base": ("bert", dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12,
                               num_attention_heads=12, intermediate_size=3072, num_labels=2),
                  ["query", "key", "value", "attention.output.dense", "intermediate.dense",
                   "output.dense"], "embeddings.LayerNorm."),
    "deberta-v3-base": ("deberta-v2", dict(vocab_size=128100, hidden_size=768, num_hidden_layers=12,
                                           num_attention_heads=12, intermediate_size=3072,
                                           relative_attention=True, max_relative_positions=-1,
                                           position_buckets=256, norm_rel_ebd="layer_norm",
                                           share_att_key=True, pos_att_type=["p2c", "c2p"],
                                           position_biased_input=False, type_vocab_size=0,
                                           layer_norm_eps=1e-7, num_labels=2),
                        ["query_proj", "key_proj", "value_proj", "attention.output.dense",
                         "intermediate.dense", "output.dense"], "embeddings.LayerNorm."),
    "llama-1b": ("llama", dict(vocab_size=32000, hidden_size=2048, num_hidden_layers=22,
                               num_attention_heads=32, num_key_value_heads=4,
                               intermediate_size=5632, max_position_embeddings=2048,
                               rms_norm_eps=1e-5, tie_word_embeddings=False),
                 ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                 "layers.0.input_layernorm."),
}
TINIT, TFINAL, TOTAL = 100, 100, 1000
PHASE_START = {"none": 0, "warmup": 0, "budgeting": TINIT + 1, "final": TOTAL - TFINAL + 1}


def build(shape, kind, init_r, target_r):
    model_type, kwargs, targets, bottom = SHAPES[shape]
    config = transformers.AutoConfig.for_model(model_type, **kwargs)
    torch.manual_seed(0)
    if model_type == "llama":
        model = transformers.AutoModelForCausalLM.from_config(config)
    else:
        model = transformers.AutoModelForSequenceClassification.from_config(config)
    model = model.cuda().train()
    if kind == "frozen":
        for n, p in model.named_parameters():
            p.requires_grad_(bottom in n)
    elif kind == "lora":
        model = peft.get_peft_model(model, peft.LoraConfig(r=init_r, lora_alpha=8, target_modules=targets))
    else:
        model = peft.get_peft_model(model, peft.AdaLoraConfig(
            init_r=init_r, target_r=target_r, tinit=TINIT, tfinal=TFINAL, deltaT=1, total_step=TOTAL,
            lora_alpha=8, target_modules=targets))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    return model, opt, sum(p.numel() for p in params), model_type == "llama"


def inputs(shape, batch, seq, causal):
    torch.manual_seed(1)
    vocab = SHAPES[shape][1]["vocab_size"]
    ids = torch.randint(1, vocab, (batch, seq), device="cuda")
    labels = ids.clone() if causal else torch.randint(0, 2, (batch,), device="cuda")
    return dict(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels)


class Runner:
    def __init__(self, shape, kind, args):
        self.kind = kind
        self.model, self.opt, self.trainable, causal = build(shape, kind, args.init_r, args.target_r)
        self.batch = inputs(shape, args.batch, args.seq, causal)
        self.step_of = dict(PHASE_START)
        self.autocast = args.autocast == "bf16"

    def step(self, phase):
        t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.autocast):
            loss = self.model(**self.batch).loss
        loss.backward()
        self.opt.step()
        if self.kind == "adalora":
            self.model.base_model.update_and_allocate(self.step_of[phase])
            self.step_of[phase] += 1
        self.opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1e3


CONFIGS = [("frozen", "frozen", "none"), ("lora", "lora", "none"),
           ("adalora_warmup", "adalora", "warmup"), ("adalora_budgeting", "adalora", "budgeting"),
           ("adalora_final", "adalora", "final")]


def peak_memory(shape, kind, args):
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    r = Runner(shape, kind, args)
    phases = ["warmup"] * 2 + ["budgeting"] * 2 + ["final"] * 2 if kind == "adalora" else ["none"] * 4
    for p in phases:
        r.step(p)
    peak = torch.cuda.max_memory_allocated() / 2**20
    del r
    torch.cuda.empty_cache()
    return peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="deberta-v3-base,llama-1b")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--init-r", type=int, default=12)
    ap.add_argument("--target-r", type=int, default=8)
    ap.add_argument("--autocast", choices=["none", "bf16"], default="none")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for shape in args.shapes.split(","):
        memory = {kind: peak_memory(shape, kind, args) for kind in ("frozen", "lora", "adalora")}
        runners = {kind: Runner(shape, kind, args) for kind in ("frozen", "lora", "adalora")}
        times = {name: [] for name, _, _ in CONFIGS}
        for i in range(args.warmup + args.repeats):  # interleaved rounds, as ours
            for name, kind, phase in CONFIGS:
                ms = runners[kind].step(phase)
                if i >= args.warmup:
                    times[name].append(ms)
        for name, kind, _ in CONFIGS:
            t = times[name]
            print(json.dumps({"bench": "train_step", "side": "peft", "shape": shape, "config": name,
                              "batch": args.batch, "seq": args.seq, "device": "cuda",
                              "autocast": args.autocast, "trainable_params": runners[kind].trainable,
                              "repeats": len(t), "step_ms_median": statistics.median(t),
                              "step_ms_min": min(t), "step_ms_max": max(t),
                              "memory": "cuda_allocated_peak", "peak_rss_mb": memory[kind],
                              "torch": torch.__version__, "transformers": transformers.__version__,
                              "peft": peft.__version__}), flush=True)
        del runners


if __name__ == "__main__":
    main()
