"""PyTorch's matmul at the linears' 7B shapes, for `npm run bench -- --ops-only` beside it.

    python3 bench/torch_matmul.py [--rows 128,512,2048] [--out FILE]

Forward Y = X Wᵀ and backward-input dX = dY W for W (O, I) at q (4096 → 4096), gate (4096 →
11008), down (11008 → 4096) and the head (4096 → 32000), fp16 (cuBLAS on tensor cores, fp32
accumulation) and fp32 with TF32 off (the card's FMA rate: what our f32 path competes with).
Median of 20 timed repeats after warm-up, CUDA events; TFLOP/s = 2·M·O·I / time.
"""
import argparse
import json

import torch

SHAPES = {"q": (4096, 4096), "gate": (11008, 4096), "down": (4096, 11008), "head": (32000, 4096)}


def timed(fn, reps=20):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b) / 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="128,512,2048")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    rows = []
    for dtype in (torch.float16, torch.float32):
        for M in map(int, args.rows.split(",")):
            for name, (O, I) in SHAPES.items():
                W = torch.randn(O, I, device="cuda", dtype=dtype) * 0.01
                X = torch.randn(M, I, device="cuda", dtype=dtype)
                dY = torch.randn(M, O, device="cuda", dtype=dtype)
                flops = 2 * M * O * I
                for op, fn in (("forward", lambda: X @ W.t()), ("backward_input", lambda: dY @ W)):
                    sec = timed(fn)
                    row = dict(dtype=str(dtype).replace("torch.", ""), op=op, shape=name, M=M, O=O, I=I,
                               seconds=sec, tflops=flops / sec / 1e12)
                    rows.append(row)
                    print(f"torch {row['dtype']:8s} {op:15s} {name:5s} M={M:5d}  {sec * 1e6:9.1f} us  {row['tflops']:7.1f} TFLOP/s", flush=True)
                del W, X, dY
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
