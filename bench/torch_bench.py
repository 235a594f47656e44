"""The paper's own pipeline in PyTorch at Llama-2-7B shape, for the side-by-side benchmark.

Random weights (LlamaForCausalLM from a LlamaConfig; no download), fp16, eager attention,
batch 1; D = max last-position logit; D.backward(); then for each of the 224 linear matrices
A = |grad * W| in f32 with the per-matrix reductions ParamScope computes (sum, sum of squares,
max, count above a threshold). Time per sample (median of repeats, CUDA-synchronized) and peak
allocated memory.

    python3 bench/torch_bench.py --tokens 128,256 --out bench-torch.json
"""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--tokens", default="128,256")
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--dtype", default="float16")
p.add_argument("--threshold", type=float, default=2e-6)
p.add_argument("--out")
a = p.parse_args()

dtype = getattr(torch, a.dtype)
cfg = LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=32, vocab_size=32000,
                  max_position_embeddings=4096, attn_implementation="eager")
torch.manual_seed(0)
torch.set_default_dtype(dtype)
with torch.device("cuda"):
    model = LlamaForCausalLM(cfg)
torch.set_default_dtype(torch.float32)
model.eval()
linears = [m.weight for layer in model.model.layers for m in (
    layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj, layer.self_attn.o_proj,
    layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj)]
assert len(linears) == 224


def one(T):
    ids = torch.randint(0, cfg.vocab_size, (1, T), device="cuda")
    model.zero_grad(set_to_none=True)
    logits = model(ids).logits[0, -1]
    D = logits.max()
    D.backward()
    out = []
    for W in linears:
        A = (W.grad.float() * W.float()).abs()
        out.append(torch.stack([A.sum(), (A * A).sum(), A.max(), (A > a.threshold).sum().float()]))
    res = torch.stack(out).cpu()  # synchronizes
    return res


rows = []
for T in [int(x) for x in a.tokens.split(",")]:
    one(T)
    one(T)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        one(T)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    times.sort()
    row = {"T": T, "dtype": a.dtype, "seconds_median": times[len(times) // 2], "seconds_all": times,
           "peak_allocated_GiB": torch.cuda.max_memory_allocated() / 2**30,
           "peak_reserved_GiB": torch.cuda.max_memory_reserved() / 2**30}
    print(json.dumps(row), flush=True)
    rows.append(row)

report = {"pipeline": "PyTorch eager, LlamaForCausalLM at Llama-2-7B shape, random weights",
          "torch": torch.__version__, "device": torch.cuda.get_device_name(), "rows": rows}
if a.out:
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
