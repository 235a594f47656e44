"""Wanda in PyTorch at Llama-2-7B (or Llama-3-8B: --shape 8b) shape, for the pruning lab's side-by-side benchmark.

Random weights (LlamaForCausalLM from a LlamaConfig; no download), fp16 (or fp32 with TF32 off:
--dtype float32), sdpa attention, written
as a skilled user would: no autograd, batched. Sequential as in Wanda's reference: per layer,
forward hooks take Σ ||X_k||² of each linear's input over every calibration token (the layer
unpruned, on the outputs of the pruned layers before it), each row's floor(I * S) smallest
|W| * ||X|| are zeroed (stable sort: ties to the lower column, as ParamScope), then the layer
runs again, pruned, to give the next layer's inputs. Then perplexity over the eval sequences
(full-vocabulary cross-entropy in f32). Times CUDA-synchronized; peak allocated memory.

    python3 bench/torch_wanda.py --samples 128 --eval 64 --tokens 512 --out wanda-torch.json
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--samples", type=int, default=128)
p.add_argument("--eval", type=int, default=64)
p.add_argument("--tokens", type=int, default=512)
p.add_argument("--sparsity", type=float, default=0.5)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--dtype", default="float16", help="float16, or float32 (TF32 off: the arithmetic of our f32 kernels)")
p.add_argument("--shape", default="7b", help="7b (Llama-2-7B) or 8b (Llama-3-8B: GQA 8 KV heads, 14336, 128256)")
p.add_argument("--out")
a = p.parse_args()

SHAPES = {"7b": dict(intermediate_size=11008, num_key_value_heads=32, vocab_size=32000,
                     max_position_embeddings=4096, rope_theta=10000.0),
          "8b": dict(intermediate_size=14336, num_key_value_heads=8, vocab_size=128256,
                     max_position_embeddings=8192, rope_theta=500000.0)}
cfg = LlamaConfig(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32,
                  attn_implementation="sdpa", **SHAPES[a.shape])
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(0)
torch.set_default_dtype(getattr(torch, a.dtype))
with torch.device("cuda"):
    model = LlamaForCausalLM(cfg)
torch.set_default_dtype(torch.float32)
model.eval()
V, T = cfg.vocab_size, a.tokens


def sequences(n, seed):
    g = torch.Generator(device="cuda").manual_seed(seed)
    x = torch.randint(2, V, (n, T), device="cuda", generator=g)
    x[:, 0] = 1
    return x


calib, evals = sequences(a.samples, 11), sequences(a.eval, 12)


def linears(layer):
    at, mlp = layer.self_attn, layer.mlp
    return {"q": at.q_proj, "k": at.k_proj, "v": at.v_proj, "o": at.o_proj,
            "gate": mlp.gate_proj, "up": mlp.up_proj, "down": mlp.down_proj}


def run_layer(layer, x, pe):
    out = []
    for b in range(0, x.shape[0], a.batch):
        y = layer(x[b:b + a.batch], position_embeddings=pe)
        out.append(y[0] if isinstance(y, tuple) else y)
    return torch.cat(out)


@torch.no_grad()
def wanda():
    x = model.model.embed_tokens(calib)
    pos = torch.arange(T, device="cuda")[None]
    pe = model.model.rotary_emb(x[:1], pos)
    for layer in model.model.layers:
        lin = linears(layer)
        sq = {n: torch.zeros(m.in_features, device="cuda") for n, m in lin.items()}

        def hook(name):
            def f(_m, inp, _out):
                xi = inp[0].reshape(-1, inp[0].shape[-1]).float()
                sq[name] += (xi * xi).sum(0)
            return f

        hs = [m.register_forward_hook(hook(n)) for n, m in lin.items()]
        run_layer(layer, x, pe)
        for h in hs:
            h.remove()
        for n, m in lin.items():
            W = m.weight.data
            metric = W.abs().float() * sq[n].sqrt()[None]
            k = int(W.shape[1] * a.sparsity)
            idx = torch.sort(metric, dim=-1, stable=True)[1][:, :k]
            W.scatter_(1, idx, 0)
        x = run_layer(layer, x, pe)


@torch.no_grad()
def perplexity():
    nll = torch.zeros((), device="cuda", dtype=torch.float64)
    for b in range(0, evals.shape[0], 8):
        ids = evals[b:b + 8]
        logits = model(ids).logits[:, :-1].float()
        nll += F.cross_entropy(logits.reshape(-1, V), ids[:, 1:].reshape(-1), reduction="sum")
    return math.exp(nll.item() / (evals.shape[0] * (T - 1)))


torch.cuda.synchronize()
torch.cuda.reset_peak_memory_stats()
t0 = time.perf_counter()
wanda()
torch.cuda.synchronize()
t1 = time.perf_counter()
wanda_peak = torch.cuda.max_memory_allocated() / 2**30
torch.cuda.reset_peak_memory_stats()
ppl = perplexity()
torch.cuda.synchronize()
t2 = time.perf_counter()
row = {"shape": a.shape, "dtype": a.dtype, "samples": a.samples, "eval": a.eval, "tokens": T, "sparsity": a.sparsity, "batch": a.batch,
       "prune_seconds": t1 - t0, "perplexity_seconds": t2 - t1, "perplexity": ppl,
       "prune_peak_allocated_GiB": wanda_peak,
       "perplexity_peak_allocated_GiB": torch.cuda.max_memory_allocated() / 2**30}
print(json.dumps(row), flush=True)
report = {"pipeline": f"PyTorch Wanda (sequential, batched, no autograd), {a.dtype}, LlamaForCausalLM at "
                      f"{'Llama-3-8B' if a.shape == '8b' else 'Llama-2-7B'} shape, random weights",
          "torch": torch.__version__, "device": torch.cuda.get_device_name(), "row": row}
if a.out:
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
