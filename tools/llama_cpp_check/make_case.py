#!/usr/bin/env python3
"""Makes the inputs of scripts/check_gguf_llamacpp.sh in OUT (optional tooling, not the product):

  OUT/base/            a tiny random LlamaForCausalLM (transformers save_pretrained, F32;
                       grouped-query attention: 4 heads, 2 key/value heads)
  OUT/base.gguf        that model converted by llama.cpp's own convert_hf_to_gguf.py (LlamaModel,
                       with its Q/K permutation), with a placeholder vocabulary (the model has no
                       tokenizer; token ids go in directly)
  OUT/lora/            a PEFT LoRA adapter on all seven projections with rank_pattern/alpha_pattern
  OUT/lora_plain/      a PEFT LoRA adapter, one r and alpha (what convert_lora_to_gguf.py handles)
  OUT/adalora/         a PEFT AdaLoRA adapter after a few steps (per-module kept ranks)
  OUT/ids.txt          token-id sequences, one per line

    PYTHONPATH=<llama.cpp>/gguf-py:<llama.cpp>:<autoshim>:<HFDEPS>:<PEFTSRC> \\
        /usr/bin/python3 make_case.py LLAMA_CPP_DIR OUT
"""
import os
import sys

import torch
import transformers
import peft

peft.PeftModel.create_or_update_model_card = lambda self, output_dir: None


def tiny_llama(out):
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
        initializer_range=0.2, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
    model = transformers.LlamaForCausalLM(config).eval()
    model.save_pretrained(os.path.join(out, "base"), safe_serialization=True)
    return model


def convert_base(llama_cpp, out):
    sys.path.insert(0, llama_cpp)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_compat import add_missing_dtypes
    add_missing_dtypes()  # Debian's torch 1.13 lacks dtypes the converter lists in tables
    import gguf
    from conversion.llama import LlamaModel

    class NoTokenizerLlama(LlamaModel):
        model_arch = LlamaModel.model_arch
        # The tiny model has no tokenizer: a placeholder SentencePiece-style vocabulary of the right
        # size (ids go in directly). Everything else is LlamaModel's own conversion.
        def set_vocab(self):
            n = self.hparams["vocab_size"]
            tokens = [b"<unk>", b"<s>", b"</s>"] + [f"t{i}".encode() for i in range(3, n)]
            types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + \
                [gguf.TokenType.NORMAL] * (n - 3)
            self.gguf_writer.add_tokenizer_model("llama")
            self.gguf_writer.add_tokenizer_pre("default")
            self.gguf_writer.add_token_list(tokens)
            self.gguf_writer.add_token_scores([0.0] * n)
            self.gguf_writer.add_token_types(types)
            self.gguf_writer.add_bos_token_id(1)
            self.gguf_writer.add_eos_token_id(2)
            self.gguf_writer.add_unk_token_id(0)

    from pathlib import Path
    model = NoTokenizerLlama(Path(out) / "base", gguf.LlamaFileType.ALL_F32, Path(out) / "base.gguf",
                             eager=True)
    model.write()


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn(p.shape, generator=g) * 0.2)


def lora(base_dir, out, name, **kwargs):
    base = transformers.LlamaForCausalLM.from_pretrained(base_dir)
    config = peft.LoraConfig(task_type="CAUSAL_LM", target_modules=[
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], **kwargs)
    model = peft.get_peft_model(base, config)
    randomise(model, sum(map(ord, name)))
    model.save_pretrained(os.path.join(out, name), safe_serialization=True)


def adalora(base_dir, out, ids):
    base = transformers.LlamaForCausalLM.from_pretrained(base_dir)
    config = peft.AdaLoraConfig(task_type="CAUSAL_LM", init_r=4, target_r=2, lora_alpha=8, tinit=1, tfinal=2,
                                deltaT=1, total_step=6, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"])
    model = peft.get_peft_model(base, config)
    model.train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    for step in range(6):
        model(input_ids=ids, labels=ids).loss.backward()
        opt.step()
        model.base_model.update_and_allocate(step)
        opt.zero_grad()
    model.eval()
    model.save_pretrained(os.path.join(out, "adalora"), safe_serialization=True)


def main():
    llama_cpp, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    tiny_llama(out)
    convert_base(llama_cpp, out)
    base_dir = os.path.join(out, "base")
    lora(base_dir, out, "lora", r=4, lora_alpha=8, rank_pattern={"k_proj": 2, "layers.1.mlp.up_proj": 6},
         alpha_pattern={"down_proj": 3})
    lora(base_dir, out, "lora_plain", r=4, lora_alpha=16)
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(3, 64, (3, 12), generator=g)
    adalora(base_dir, out, ids)
    with open(os.path.join(out, "ids.txt"), "w") as f:
        for row in ids.tolist() + [[1, 5, 9, 33], [60]]:
            f.write(",".join(map(str, row)) + "\n")
    print("versions:", transformers.__version__, peft.__version__, torch.__version__)


if __name__ == "__main__":
    main()
