"""Fair PyTorch anchors for the side-by-side benchmark, at Llama-2-7B shape (random weights, fp16).

What each sample yields, as ParamScope computes it: D = the max last-position logit; for each of the
224 linear matrices A = |dD/dW * W| (f32) and per sample sum A, sum A^2, max A; per set (the samples
of one call) the number of parameters whose mean A over the set's samples is above each threshold.

Variants (all measured in this one process, CUDA-synchronized, median of --repeats):
  paper   the paper's pipeline as it stands, fixed: eager attention, full logits, autograd on every
          parameter, D.backward(), then the statistics under torch.no_grad(); one sample at a time
  tuned   what a skilled PyTorch user writes: sdpa attention, last-position logits only, no weight
          gradient stored: a hook on each linear's output gradient forms every sample's dYᵀX in the
          backward and reduces it at once (--stats: one Triton pass over the batch's dYᵀX, the
          default; or torch.compile of the eager expression; or eager); the samples of a set
          batched (B = 1 and B = --batch)
  graph   tuned, the whole step captured as one CUDA graph and replayed
Memory: torch's peak allocated and reserved, and nvidia-smi's reading for this process (polled
every 0.2 s while the row runs).

--check: every variant on a small random model in float64 against plain float64 autograd
(per-sample dD/dW formed by D.backward() one sample at a time), and in float16 (reported).

    python3 bench/torch_bench.py --tokens 128,256 --batch 4 --out bench-torch.json
"""
import argparse
import copy
import json
import os
import subprocess
import threading
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--tokens", default="128")
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--batch", type=int, default=4)
p.add_argument("--thresholds", default="2e-6,5e-6")
p.add_argument("--variants", default="paper,tuned,graph")
p.add_argument("--check", action="store_true")
p.add_argument("--stats", default="triton", choices=["triton", "compiled", "eager"],
               help="how the tuned variants reduce each dYᵀX: one Triton pass (default), "
                    "torch.compile of the eager expression, or eager")
p.add_argument("--out")
a = p.parse_args()
THRESHOLDS = [float(x) for x in a.thresholds.split(",")]
# the statistics compile once per matrix shape (and dtype, with --check): more than dynamo's default 8
torch._dynamo.config.recompile_limit = 64


class SmiPeak:
    """nvidia-smi's used memory for this process, polled in a thread while a row runs."""

    def __init__(self):
        self.peak = 0.0
        self.stop = threading.Event()

    def poll(self):
        while not self.stop.is_set():
            try:
                out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,used_memory",
                                      "--format=csv,noheader,nounits"], capture_output=True,
                                     text=True, timeout=5).stdout
                for line in out.strip().splitlines():
                    pid, mib = [x.strip() for x in line.split(",")]
                    if int(pid) == os.getpid():
                        self.peak = max(self.peak, float(mib) / 1024)
            except Exception:  # noqa: BLE001 (no nvidia-smi: no reading)
                pass
            self.stop.wait(0.2)

    def __enter__(self):
        self.t = threading.Thread(target=self.poll, daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()


def build(cfg, dtype, device="cuda"):
    torch.manual_seed(0)
    torch.set_default_dtype(dtype)
    with torch.device(device):
        model = LlamaForCausalLM(copy.deepcopy(cfg))  # its own config: attention is set per model
    torch.set_default_dtype(torch.float32)
    model.eval()
    return model


def linears_of(model):
    return [m for layer in model.model.layers for m in (
        layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj,
        layer.self_attn.o_proj, layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj)]


def reduce_stats(g, W, th):
    """g (B, O, I) per-sample dD/dW -> per sample [sum A, sum A^2, max A] (B, 3), counts (K,)."""
    A = (g.float() * W.float()).abs()
    per = torch.stack([A.sum((1, 2)), (A * A).sum((1, 2)), A.amax((1, 2))], 1)
    counts = (A.mean(0)[None] > th[:, None, None]).sum((1, 2))
    return per, counts


try:  # one pass over g per batch: what a skilled user writes where eager/compiled passes are slow
    import triton
    import triton.language as tl

    @triton.jit
    def _stats_kernel(g_ptr, w_ptr, th_ptr, part_ptr, cnt_ptr, N, B: tl.constexpr,
                      K: tl.constexpr, BLOCK: tl.constexpr):
        pid = tl.program_id(0)
        offs = pid * BLOCK + tl.arange(0, BLOCK)
        mask = offs < N
        w = tl.load(w_ptr + offs, mask=mask, other=0.0).to(tl.float32)
        msum = tl.zeros([BLOCK], dtype=tl.float32)
        for b in tl.static_range(B):
            g = tl.load(g_ptr + b * N + offs, mask=mask, other=0.0).to(tl.float32)
            a = tl.abs(g * w)
            msum += a
            tl.store(part_ptr + (pid * B + b) * 3 + 0, tl.sum(a, axis=0))
            tl.store(part_ptr + (pid * B + b) * 3 + 1, tl.sum(a * a, axis=0))
            tl.store(part_ptr + (pid * B + b) * 3 + 2, tl.max(a, axis=0))
        m = msum / B
        for k in tl.static_range(K):
            t = tl.load(th_ptr + k)
            tl.store(cnt_ptr + pid * K + k, tl.sum(tl.where(mask & (m > t), 1, 0), axis=0))

    def reduce_stats_triton(g, W, th):
        B, N, BLOCK = g.shape[0], W.numel(), 2048
        P = triton.cdiv(N, BLOCK)
        part = torch.empty(P, B, 3, device=g.device, dtype=torch.float32)
        cnt = torch.empty(P, th.numel(), device=g.device, dtype=torch.int32)
        _stats_kernel[(P,)](g, W, th, part, cnt, N, B=B, K=th.numel(), BLOCK=BLOCK)
        per = torch.stack([part[:, :, 0].sum(0), part[:, :, 1].sum(0), part[:, :, 2].amax(0)], 1)
        return per, cnt.sum(0)
except ImportError:
    reduce_stats_triton = None


def triton_ok():
    """The Triton reduction against the eager one on a small random case (else: not used)."""
    if reduce_stats_triton is None:
        return False
    try:
        torch.manual_seed(1)
        g = torch.randn(3, 70, 33, device="cuda", dtype=torch.float16) * 1e-3
        W = torch.randn(70, 33, device="cuda", dtype=torch.float16) * 1e-2
        th = torch.tensor(THRESHOLDS, device="cuda")
        (p1, c1), (p2, c2) = reduce_stats_triton(g, W, th), reduce_stats(g, W, th)
        return bool(((p1 - p2).abs() <= 1e-4 * p2.abs() + 1e-12).all() and (c1 == c2).all())
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"triton_error": str(e)[:300]}), flush=True)
        return False


class Tuned:
    """Hooks that form and reduce each sample's dYᵀX inside the backward (no weight gradient)."""

    def __init__(self, model, B, stats):
        self.model = model
        self.lins = linears_of(model)
        dev = next(model.parameters()).device
        self.th = torch.tensor(THRESHOLDS, device=dev, dtype=torch.float32)
        self.per = torch.zeros(len(self.lins), B, 3, device=dev)
        self.counts = torch.zeros(len(self.lins), len(THRESHOLDS), device=dev, dtype=torch.int64)
        self.fn = {"compiled": lambda: torch.compile(reduce_stats, dynamic=False),
                   "eager": lambda: reduce_stats,
                   "triton": lambda: reduce_stats_triton or reduce_stats}[stats]()
        self.handles = [lin.register_forward_hook(self.forward_hook(i)) for i, lin in
                        enumerate(self.lins)]

    def forward_hook(self, i):
        def hook(mod, inp, out):
            x = inp[0]
            if out.requires_grad:
                out.register_hook(lambda dy: self.backward(i, dy, x, mod.weight))
        return hook

    def backward(self, i, dy, x, W):
        g = torch.bmm(dy.transpose(1, 2), x).contiguous()
        per, counts = self.fn(g, W, self.th)
        self.per[i].copy_(per)
        self.counts[i].copy_(counts)

    def step(self, ids):
        m = self.model
        emb = m.model.embed_tokens(ids).detach().requires_grad_()
        h = m.model(inputs_embeds=emb).last_hidden_state[:, -1]
        D = m.lm_head(h).amax(-1).sum()  # samples are independent: each gets its own dD/dW
        D.backward()

    def remove(self):
        for h in self.handles:
            h.remove()


def paper_step(model, lins, ids):
    """One sample: autograd on every parameter, D.backward(), the statistics under no_grad."""
    model.zero_grad(set_to_none=True)
    D = model(ids).logits[0, -1].max()
    D.backward()
    th = torch.tensor(THRESHOLDS, device=ids.device)
    with torch.no_grad():
        rows = [reduce_stats(lin.weight.grad[None], lin.weight, th) for lin in lins]
    return torch.stack([r[0][0] for r in rows]), torch.stack([r[1] for r in rows])


def time_rows(name, B, T, run, vocab, dev):
    """Median seconds per sample of run(ids) over --repeats, with torch's and nvidia-smi's memory."""
    ids = torch.randint(0, vocab, (B, T), device=dev)
    for _ in range(2):
        run(ids)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    with SmiPeak() as smi:
        for _ in range(a.repeats):
            ids = torch.randint(0, vocab, (B, T), device=dev)
            t0 = time.perf_counter()
            run(ids)
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) / B)
    times.sort()
    row = {"variant": name, "B": B, "T": T, "seconds_per_sample": times[len(times) // 2],
           "seconds_all": times, "peak_allocated_GiB": torch.cuda.max_memory_allocated() / 2**30,
           "peak_reserved_GiB": torch.cuda.max_memory_reserved() / 2**30,
           "nvidia_smi_GiB": smi.peak}
    print(json.dumps(row), flush=True)
    return row


def graphed(tuned, B, T, dev):
    """The tuned step captured as a CUDA graph on static ids; returns run(ids)."""
    static = torch.zeros(B, T, dtype=torch.long, device=dev)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            tuned.step(static)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        tuned.step(static)

    def run(ids):
        static.copy_(ids)
        g.replay()
        return tuned.per, tuned.counts
    return run


def tuned_run(tuned):
    def run(ids):
        tuned.step(ids)
        return tuned.per, tuned.counts
    return run


def check():
    """Each variant on a small float64 model against plain autograd, one sample at a time."""
    cfg = LlamaConfig(hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, vocab_size=101,
                      max_position_embeddings=64, attn_implementation="sdpa")
    B, T = 3, 9
    ids = torch.randint(0, cfg.vocab_size, (B, T), device="cuda")
    report = []
    for dtype in (torch.float64, torch.float16):
        model = build(cfg, dtype)
        lins = linears_of(model)
        # the truth: float64 autograd of a float64 copy, sample by sample
        ref_model = build(cfg, torch.float64)
        ref_model.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
        ref_model.config._attn_implementation = "eager"
        ref_lins = linears_of(ref_model)
        want = []
        grads = []
        for b in range(B):
            per, _ = paper_step(ref_model, ref_lins, ids[b:b + 1])
            want.append(per)
            grads.append([lin.weight.grad.clone() for lin in ref_lins])
        want = torch.stack(want, 1)  # (224', B, 3)
        th = torch.tensor(THRESHOLDS, device="cuda", dtype=torch.float64)
        mean = [sum((grads[b][i] * ref_lins[i].weight).abs() for b in range(B)) / B
                for i in range(len(ref_lins))]
        want_counts = torch.stack([(m[None] > th[:, None, None]).sum((1, 2)) for m in mean])
        model.requires_grad_(False)
        got = {}
        tuned = Tuned(model, B, a.stats)
        per, counts = tuned_run(tuned)(ids)
        got["tuned"] = (per.double().clone(), counts.clone())
        per, counts = graphed(tuned, B, T, "cuda")(ids)
        got["graph"] = (per.double().clone(), counts.clone())
        tuned.remove()
        model.requires_grad_(True)
        model.config._attn_implementation = "eager"
        got["paper"] = (torch.stack([paper_step(model, lins, ids[b:b + 1])[0] for b in range(B)], 1)
                        .double(), None)
        for k, (per, counts) in got.items():
            rel = ((per - want).abs() / want.abs().clamp_min(1e-300)).max().item()
            row = {"check": k, "dtype": str(dtype), "max_rel_error": rel,
                   "counts_equal": None if counts is None else bool((counts == want_counts).all())}
            print(json.dumps(row), flush=True)
            report.append(row)
    return report


def main():
    if a.stats == "triton" and not triton_ok():
        a.stats = "eager"
    stats = a.stats
    report = {"torch": torch.__version__, "device": torch.cuda.get_device_name(),
              "thresholds": THRESHOLDS, "stats": stats, "rows": []}
    print(json.dumps({"stats": stats}), flush=True)
    if a.check:
        report["checks"] = check()
    cfg = LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=32, vocab_size=32000,
                      max_position_embeddings=4096, attn_implementation="sdpa")
    model = build(cfg, torch.float16)
    lins = linears_of(model)
    assert len(lins) == 224
    variants = a.variants.split(",")
    for T in [int(x) for x in a.tokens.split(",")]:
        if "paper" in variants:
            model.requires_grad_(True)
            model.config._attn_implementation = "eager"
            row = time_rows("paper", 1, T, lambda ids: paper_step(model, lins, ids), cfg.vocab_size,
                            "cuda")
            report["rows"].append(row)
            model.zero_grad(set_to_none=True)
            model.requires_grad_(False)
            model.config._attn_implementation = "sdpa"
        model.requires_grad_(False)
        for B in sorted({1, a.batch}):
            tuned = Tuned(model, B, a.stats)
            if "tuned" in variants:
                report["rows"].append(time_rows("tuned", B, T, tuned_run(tuned), cfg.vocab_size,
                                                "cuda"))
            if "graph" in variants:
                run = graphed(tuned, B, T, "cuda")
                report["rows"].append(time_rows("graph", B, T, run, cfg.vocab_size, "cuda"))
            tuned.remove()
            torch.cuda.empty_cache()
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


main()
