#!/bin/bash
# session 23 call L2: HEAD (base) against the tree: the score's operands staged 16 bytes at a time
# (score_mm_stage16.wgsl), the fold's slot read at an offset in units of 8 floats, its weights
# decoded once per batch for every type, attention_blk's dots to a constant bound; `wq`: the tree
# but the fold keeping Q4_0's raw bytes (session 22's); --check first; batch of 8, T = 128; then the
# T = 128 row (no profile in the process: memory) and PyTorch's CUDA graph in the same call.
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
t0=$(date +%s)
r() { local name=$1; shift; echo "== $name"; "$@" > $OUT/log-$name.txt 2>&1; echo "rc $? $(( $(date +%s) - t0 )) s"; grep -E "$G" $OUT/log-$name.txt | grep -v "^warning" | tail -${N:-4} | cut -c1-150; (cd $OUT && tar czf all.tgz *.json *.txt 2>/dev/null); }
P="--shape 7b --types q4_0 --unsafe --precision f16 --tokens 128 --skip-ops --streaming"
A="$P --repeat 1 --stream-samples 8 --batch 8 --rows multi --profile"
G="^check|MISMATCH|Error|error:|passed|failed"; N=6
r check node .gpucarry/bench.mjs --shape tiny --types q4_0,q8_0,q4_k,f16 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l2-check.json
G="score_mm|attention_b|per sample|Error|error:"; N=8
r base node .gpucarry/bench-base.mjs $A --out $OUT/l2-base.json
r new node .gpucarry/bench.mjs $A --out $OUT/l2-new.json
r wq node .gpucarry/bench-wq.mjs $A --out $OUT/l2-wq.json
r base2 node .gpucarry/bench-base.mjs $A --out $OUT/l2-base2.json
G="per sample|GiB|Error|error:"; N=6
r t128 node .gpucarry/bench.mjs $P --repeat 3 --stream-samples 16 --rows multi --batch 8 --out $OUT/l2-t128.json
r lone node .gpucarry/bench.mjs $P --repeat 3 --stream-samples 4 --rows lone --out $OUT/l2-lone.json
r torch python3 bench/torch_bench.py --tokens 128 --variants graph --out $OUT/l2-torch.json
