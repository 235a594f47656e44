#!/bin/bash
# session 23 call L1: the fold's slot (b: HEAD + offset in units of 8; c: rows 20 floats apart,
# lanes on rows lane % 16; d: c + Q4_0 nibbles without int-to-float; all: d + attention_blk's dots
# to a constant bound; e: all + weights decoded once per batch for every type) against HEAD (base,
# first and last); g: all + 16-byte operand staging; --check first; batch of 8, T = 128.
# all, e, g, h: density_finish counting thresholds in registers; h: g + the slab linears reading
# Q4_0/Q8_0/F16/F32 weights as stored (no pack_weight pass); g is h with --pack-weights.
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
t0=$(date +%s)
r() { local name=$1; shift; echo "== $name"; "$@" > $OUT/log-$name.txt 2>&1; echo "rc $? $(( $(date +%s) - t0 )) s"; grep -E "$G" $OUT/log-$name.txt | grep -v "^warning" | tail -${N:-4} | cut -c1-150; (cd $OUT && tar czf all.tgz *.json *.txt 2>/dev/null); }
P="--shape 7b --types q4_0 --unsafe --precision f16 --tokens 128 --skip-ops --streaming"
A="$P --repeat 1 --stream-samples 8 --batch 8 --rows multi --profile"
G="^check|MISMATCH|Error|error:|passed|failed"; N=6
r check-h node .gpucarry/bench-h.mjs --shape tiny --types q4_0,q8_0,f16 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l1-check-h.json
r check-g node .gpucarry/bench-h.mjs --pack-weights --shape tiny --types q4_0,q8_0 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l1-check-g.json
r check node .gpucarry/bench.mjs --shape tiny --types q4_0,q8_0 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l1-check.json
G="score_mm|attention_b|density_finish|linear_mmvs|pack_|split_sum|per sample|Error|error:"; N=12
r base node .gpucarry/bench-base.mjs $A --out $OUT/l1-base.json
r all node .gpucarry/bench.mjs $A --out $OUT/l1-all.json
r g node .gpucarry/bench-h.mjs --pack-weights $A --out $OUT/l1-g.json
r h node .gpucarry/bench-h.mjs $A --out $OUT/l1-h.json
r b node .gpucarry/bench-b.mjs $A --out $OUT/l1-b.json
r c node .gpucarry/bench-c.mjs $A --out $OUT/l1-c.json
r d node .gpucarry/bench-d.mjs $A --out $OUT/l1-d.json
r base2 node .gpucarry/bench-base.mjs $A --out $OUT/l1-base2.json
G="^check|MISMATCH|Error|error:|passed|failed"; N=6
r check-e node .gpucarry/bench-e.mjs --shape tiny --types q4_0,q8_0 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l1-check-e.json
G="score_mm|attention_b|density_finish|linear_mmvs|pack_|split_sum|per sample|Error|error:"; N=12
r e node .gpucarry/bench-e.mjs $A --out $OUT/l1-e.json
