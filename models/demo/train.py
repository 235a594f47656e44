"""Trains ParamScope's demo model: a small Llama on the five-domain corpus of corpus.py.

One command (on a machine with PyTorch, sentencepiece and a GPU; seeded, deterministic up to GPU
nondeterminism):

    python3 models/demo/train.py --corpus models/demo/corpus --out models/demo/out

Writes to --out: tokenizer.model (SentencePiece BPE, byte fallback), paramscope-demo.gguf (Q8_0
matrices, F32 norms; RoPE on adjacent pairs as llama.cpp's GGUF files; METHOD.md §7),
train-log.json (loss curve, per-domain validation perplexity, timing), loss.png, and
golden.json: PyTorch autograd scores |grad · W| of the max last-position logit for fixed samples,
computed in f64 on the dequantized Q8_0 weights, for tests/gpu/golden.test.ts.
"""
import argparse
import json
import math
import os
import struct
import time

import numpy as np
import sentencepiece as spm
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--corpus", default="models/demo/corpus")
p.add_argument("--examples", default="public/examples")
p.add_argument("--out", default="models/demo/out")
p.add_argument("--vocab", type=int, default=4096)
p.add_argument("--width", type=int, default=256)
p.add_argument("--layers", type=int, default=8)
p.add_argument("--heads", type=int, default=8)
p.add_argument("--kv-heads", type=int, default=4)
p.add_argument("--ffn", type=int, default=704)
p.add_argument("--ctx", type=int, default=256)
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--seed", type=int, default=1234)
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
torch.manual_seed(a.seed)
np.random.seed(a.seed)
DOMAINS = ["bible", "quotes", "dictionary", "jargon", "code"]
t_start = time.time()

# ---- tokenizer ---------------------------------------------------------------------------
text_for_sp = os.path.join(a.out, "sp-input.txt")
with open(text_for_sp, "w") as f:
    for d in DOMAINS:
        f.write(open(os.path.join(a.corpus, f"{d}.train.txt")).read()[:1_500_000] + "\n")
spm.SentencePieceTrainer.train(
    input=text_for_sp, model_prefix=os.path.join(a.out, "tokenizer"), vocab_size=a.vocab,
    model_type="bpe", byte_fallback=True, split_digits=True, add_dummy_prefix=True,
    remove_extra_whitespaces=False, normalization_rule_name="identity", allow_whitespace_only_pieces=True,
    character_coverage=0.9995, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, max_sentence_length=100000,
    input_sentence_size=400000, shuffle_input_sentence=True, seed_sentencepiece_size=1000000,
    num_threads=16, minloglevel=2)
sp = spm.SentencePieceProcessor(model_file=os.path.join(a.out, "tokenizer.model"))
V = sp.get_piece_size()
BOS = sp.bos_id()


def encode_docs(path):
    docs = open(path).read().split("\n\n")
    ids = []
    for d in docs:
        ids.append(BOS)
        ids.extend(sp.encode(d))
    return torch.tensor(ids, dtype=torch.long)


train = {d: encode_docs(os.path.join(a.corpus, f"{d}.train.txt")) for d in DOMAINS}
val = {d: encode_docs(os.path.join(a.corpus, f"{d}.val.txt")) for d in DOMAINS}
print({d: len(train[d]) for d in DOMAINS}, flush=True)


# ---- model -------------------------------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self, n, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.weight


def rope(x, cos, sin):
    # x (B, H, T, Dh): rotate adjacent pairs (2i, 2i+1)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], dim=-1)
    return out.flatten(-2)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        C, H, Hkv = a.width, a.heads, a.kv_heads
        Dh = C // H
        self.attn_norm = RMSNorm(C)
        self.q = nn.Linear(C, H * Dh, bias=False)
        self.k = nn.Linear(C, Hkv * Dh, bias=False)
        self.v = nn.Linear(C, Hkv * Dh, bias=False)
        self.o = nn.Linear(H * Dh, C, bias=False)
        self.ffn_norm = RMSNorm(C)
        self.gate = nn.Linear(C, a.ffn, bias=False)
        self.up = nn.Linear(C, a.ffn, bias=False)
        self.down = nn.Linear(a.ffn, C, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        H, Hkv = a.heads, a.kv_heads
        Dh = C // H
        h = self.attn_norm(x)
        q = self.q(h).view(B, T, H, Dh).transpose(1, 2)
        k = self.k(h).view(B, T, Hkv, Dh).transpose(1, 2)
        v = self.v(h).view(B, T, Hkv, Dh).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        k = k.repeat_interleave(H // Hkv, dim=1)
        v = v.repeat_interleave(H // Hkv, dim=1)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(att.transpose(1, 2).reshape(B, T, H * Dh))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embd = nn.Embedding(V, a.width)
        self.blocks = nn.ModuleList([Block() for _ in range(a.layers)])
        self.norm = RMSNorm(a.width)
        self.head = nn.Linear(a.width, V, bias=False)
        Dh = a.width // a.heads
        inv = 10000.0 ** (-torch.arange(0, Dh, 2, dtype=torch.float64) / Dh)
        ang = torch.arange(a.ctx, dtype=torch.float64)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
        for b in self.blocks:
            nn.init.normal_(b.o.weight, std=0.02 / math.sqrt(2 * a.layers))
            nn.init.normal_(b.down.weight, std=0.02 / math.sqrt(2 * a.layers))

    def forward(self, idx):
        T = idx.shape[1]
        x = self.embd(idx)
        cos, sin = self.cos[:T].to(x.dtype), self.sin[:T].to(x.dtype)
        for b in self.blocks:
            x = b(x, cos, sin)
        return self.head(self.norm(x))


dev = "cuda"
model = Llama().to(dev)
nparams = sum(p.numel() for p in model.parameters())
print("parameters", nparams, flush=True)
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
gen = torch.Generator().manual_seed(a.seed)


def batch(src, n):
    xs = []
    for i in range(n):
        d = DOMAINS[i % len(DOMAINS)]
        s = src[d]
        j = torch.randint(0, len(s) - a.ctx - 1, (1,), generator=gen).item()
        w = s[j:j + a.ctx]
        xs.append(torch.cat([torch.tensor([BOS]), w]))
    x = torch.stack(xs).to(dev)
    return x[:, :-1], x[:, 1:]


@torch.no_grad()
def evaluate(n=64):
    model.eval()
    res = {}
    for d in DOMAINS:
        s = val[d]
        g = torch.Generator().manual_seed(7)
        losses = []
        for _ in range(max(1, n // 16)):
            xs = []
            for _ in range(16):
                j = torch.randint(0, max(1, len(s) - a.ctx - 1), (1,), generator=g).item()
                xs.append(torch.cat([torch.tensor([BOS]), s[j:j + a.ctx]]))
            x = torch.stack(xs).to(dev)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(x[:, :-1])
            losses.append(F.cross_entropy(logits.float().reshape(-1, V), x[:, 1:].reshape(-1)).item())
        res[d] = math.exp(sum(losses) / len(losses))
    model.train()
    return res


log = {"steps": [], "loss": [], "val": []}
t0 = time.time()
for step in range(a.steps):
    lr = a.lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / a.steps)))
    for g_ in opt.param_groups:
        g_["lr"] = lr
    x, y = batch(train, a.batch)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        logits = model(x)
    loss = F.cross_entropy(logits.float().reshape(-1, V), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 50 == 0 or step == a.steps - 1:
        log["steps"].append(step)
        log["loss"].append(loss.item())
    if step % 500 == 0 or step == a.steps - 1:
        v = evaluate()
        log["val"].append({"step": step, "ppl": v})
        print(step, round(loss.item(), 3), {k: round(x, 1) for k, x in v.items()}, f"{time.time() - t0:.0f}s", flush=True)
train_seconds = time.time() - t0


# ---- GGUF (our writer's conventions: v3, alignment 32, Q8_0 as ggml's reference quantizer) ----
def q8_0(w):
    w = w.astype(np.float32).reshape(-1, 32)
    amax = np.abs(w).max(axis=1)
    d = (amax / 127).astype(np.float32)
    idd = np.where(d > 0, 1 / np.where(d > 0, d, 1), 0).astype(np.float32)
    q = np.clip(np.sign(w * idd[:, None]) * np.floor(np.abs(w * idd[:, None]) + 0.5), -128, 127).astype(np.int8)
    blocks = np.zeros((w.shape[0], 34), dtype=np.uint8)
    blocks[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    blocks[:, 2:] = q.view(np.uint8)
    deq = d.astype(np.float16).astype(np.float32)[:, None] * q.astype(np.float32)
    return blocks.tobytes(), deq.reshape(-1)


def gstr(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gval(t, v):
    if t == 4:
        return struct.pack("<I", v)
    if t == 5:
        return struct.pack("<i", v)
    if t == 6:
        return struct.pack("<f", v)
    if t == 7:
        return struct.pack("<B", 1 if v else 0)
    if t == 8:
        return gstr(v)
    raise ValueError(t)


def garr(t, items):
    out = struct.pack("<IQ", t, len(items))
    return out + b"".join(gval(t, x) for x in items)


sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
tensors = []  # (name, dims innermost-first, type, bytes)
deq = {}


def add(name, arr, quant):
    if quant:
        b, d = q8_0(arr)
        tensors.append((name, [arr.shape[-1]] + ([arr.shape[0]] if arr.ndim == 2 else []), 8, b))
        deq[name] = d.reshape(arr.shape)
    else:
        tensors.append((name, list(arr.shape[::-1]), 0, arr.astype(np.float32).tobytes()))
        deq[name] = arr.astype(np.float32)


add("token_embd.weight", sd["embd.weight"], True)
names = {"q": "attn_q", "k": "attn_k", "v": "attn_v", "o": "attn_output", "gate": "ffn_gate", "up": "ffn_up", "down": "ffn_down"}
for i in range(a.layers):
    add(f"blk.{i}.attn_norm.weight", sd[f"blocks.{i}.attn_norm.weight"], False)
    for m, g in names.items():
        add(f"blk.{i}.{g}.weight", sd[f"blocks.{i}.{m}.weight"], True)
    add(f"blk.{i}.ffn_norm.weight", sd[f"blocks.{i}.ffn_norm.weight"], False)
add("output_norm.weight", sd["norm.weight"], False)
add("output.weight", sd["head.weight"], True)

types = []
for i in range(V):
    if sp.is_unknown(i):
        types.append(2)
    elif sp.is_control(i):
        types.append(3)
    elif sp.is_byte(i):
        types.append(6)
    else:
        types.append(1)
kv = [
    ("general.architecture", 8, "llama"), ("general.name", 8, "paramscope-demo-5domain"), ("general.alignment", 4, 32),
    ("llama.context_length", 4, a.ctx), ("llama.embedding_length", 4, a.width), ("llama.block_count", 4, a.layers),
    ("llama.feed_forward_length", 4, a.ffn), ("llama.attention.head_count", 4, a.heads),
    ("llama.attention.head_count_kv", 4, a.kv_heads), ("llama.rope.dimension_count", 4, a.width // a.heads),
    ("llama.rope.freq_base", 6, 10000.0), ("llama.attention.layer_norm_rms_epsilon", 6, 1e-5),
    ("general.file_type", 4, 7), ("tokenizer.ggml.model", 8, "llama"),
]
body = b""
for k, t, v in kv:
    body += gstr(k) + struct.pack("<I", t) + gval(t, v)
body += gstr("tokenizer.ggml.tokens") + struct.pack("<I", 9) + garr(8, [sp.id_to_piece(i) for i in range(V)])
body += gstr("tokenizer.ggml.scores") + struct.pack("<I", 9) + garr(6, [float(sp.get_score(i)) for i in range(V)])
body += gstr("tokenizer.ggml.token_type") + struct.pack("<I", 9) + garr(5, types)
for k, v in [("tokenizer.ggml.bos_token_id", sp.bos_id()), ("tokenizer.ggml.eos_token_id", sp.eos_id()), ("tokenizer.ggml.unknown_token_id", sp.unk_id())]:
    body += gstr(k) + struct.pack("<I", 4) + gval(4, v)
body += gstr("tokenizer.ggml.add_bos_token") + struct.pack("<I", 7) + gval(7, True)
body += gstr("tokenizer.ggml.add_space_prefix") + struct.pack("<I", 7) + gval(7, True)
header = struct.pack("<IIQQ", 0x46554747, 3, len(tensors), len(kv) + 8)  # + tokens, scores, types, 3 ids, 2 flags
info, off = b"", 0
for name, dims, t, b in tensors:
    info += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", x) for x in dims) + struct.pack("<IQ", t, off)
    off += (len(b) + 31) // 32 * 32
out = header + body + info
out += b"\0" * ((32 - len(out) % 32) % 32)
for _, _, _, b in tensors:
    out += b + b"\0" * ((32 - len(b) % 32) % 32)
gguf_path = os.path.join(a.out, "paramscope-demo.gguf")
with open(gguf_path, "wb") as f:
    f.write(out)
print("gguf bytes", len(out), flush=True)

# ---- golden scores: f64 autograd on exactly the GGUF's (dequantized) weights -------------------
model = model.double()
with torch.no_grad():
    model.embd.weight.copy_(torch.from_numpy(deq["token_embd.weight"]))
    model.head.weight.copy_(torch.from_numpy(deq["output.weight"]))
    for i, b in enumerate(model.blocks):
        for m, g in names.items():
            getattr(b, m).weight.copy_(torch.from_numpy(deq[f"blk.{i}.{g}.weight"]))
model.cos, model.sin = model.cos.double(), model.sin.double()
examples = {d: [json.loads(l)["text"] for l in open(os.path.join(a.examples, f"{d}.jsonl"))] for d in DOMAINS}
golden = {"note": "f64 PyTorch autograd on the dequantized Q8_0 weights of paramscope-demo.gguf", "samples": [], "tokenizer": {}}
for d in DOMAINS:
    golden["tokenizer"][d] = [sp.encode(t) for t in examples[d]]
for d in ["bible", "code", "quotes"]:
    text = examples[d][0]
    ids = ([BOS] + sp.encode(text))[:48]
    model.zero_grad(set_to_none=True)
    logits = model(torch.tensor([ids], device=dev))[0, -1]
    D = logits.max()
    D.backward()
    sums, sq, mx = [], [], []
    for b in model.blocks:
        row_s, row_q, row_m = [], [], []
        for m in names:
            W = getattr(b, m).weight
            A = (W.grad * W).abs()
            row_s.append(A.sum().item())
            row_q.append((A * A).sum().item())
            row_m.append(A.max().item())
        sums.append(row_s)
        sq.append(row_q)
        mx.append(row_m)
    golden["samples"].append({"domain": d, "text": text, "tokens": ids, "argmax": int(logits.argmax().item()),
                              "maxLogit": D.item(), "sumA": sums, "sumA2": sq, "maxA": mx})
with open(os.path.join(a.out, "golden.json"), "w") as f:
    json.dump(golden, f)

final_val = log["val"][-1]["ppl"]
with open(os.path.join(a.out, "train-log.json"), "w") as f:
    json.dump({"args": vars(a), "parameters": nparams, "vocab": V, "train_seconds": train_seconds,
               "total_seconds": time.time() - t_start, "device": torch.cuda.get_device_name(),
               "torch": torch.__version__, "train_tokens": {d: len(train[d]) for d in DOMAINS},
               "final_val_ppl": final_val, **log}, f)

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
ax[0].plot(log["steps"], log["loss"])
ax[0].set_xlabel("step"); ax[0].set_ylabel("training loss (nats/token)"); ax[0].set_title("training loss")
for d in DOMAINS:
    ax[1].plot([v["step"] for v in log["val"]], [v["ppl"][d] for v in log["val"]], marker="o", label=d)
ax[1].set_yscale("log"); ax[1].set_xlabel("step"); ax[1].set_ylabel("validation perplexity"); ax[1].legend()
ax[1].set_title("validation perplexity per domain")
fig.tight_layout()
fig.savefig(os.path.join(a.out, "loss.png"), dpi=110)
print("done", json.dumps(final_val), f"{time.time() - t_start:.0f}s", flush=True)
