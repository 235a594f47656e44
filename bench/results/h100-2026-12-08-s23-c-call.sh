#!/bin/bash
# session 23 call L3: the score kernel fetching the next sample's first chunk before this sample's
# epilogue (pf; its --check only if kept), or keeping two chunks in flight across chunks and samples (pf2), against the tree (new, first and last); the matrix linears' split-K target (264 by
# default) at 128.
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
t0=$(date +%s)
r() { local name=$1; shift; echo "== $name"; "$@" > $OUT/log-$name.txt 2>&1; echo "rc $? $(( $(date +%s) - t0 )) s"; grep -E "$G" $OUT/log-$name.txt | grep -v "^warning" | tail -${N:-4} | cut -c1-150; (cd $OUT && tar czf all.tgz *.json *.txt 2>/dev/null); }
P="--shape 7b --types q4_0 --unsafe --precision f16 --tokens 128 --skip-ops --streaming"
A="$P --repeat 1 --stream-samples 8 --batch 8 --rows multi --profile"
G="^check|MISMATCH|Error|error:|passed|failed"; N=6
r check-pf2 node .gpucarry/bench-pf2.mjs --shape tiny --types q4_0,q8_0,q4_k,f16 --unsafe --precision f16 --check --ops-only --tokens 16 --repeat 1 --out $OUT/l3-check-pf2.json
G="score_mm_fold|linear_mmvs|split_sum|batch 8, per sample|Error|error:"; N=6
r new node .gpucarry/bench.mjs $A --out $OUT/l3-new.json
r pf2 node .gpucarry/bench-pf2.mjs $A --out $OUT/l3-pf2.json
r pf node .gpucarry/bench-pf.mjs $A --out $OUT/l3-pf.json
r new2 node .gpucarry/bench.mjs $A --out $OUT/l3-new2.json
r split128 node .gpucarry/bench.mjs $A --split-target 128 --out $OUT/l3-split128.json
