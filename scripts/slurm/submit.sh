#!/bin/bash
# Submits a sharded ParamScope run to SLURM: N array tasks (one shard each), then the merge once
# all succeeded (afterok). Prints the merge job's id.
#   scripts/slurm/submit.sh N OUTDIR [npm run analyze arguments]   (SHARD_BY=units|samples)
# Extra sbatch options (partition, GPUs: --gres=gpu:1, time) go in SBATCH_* environment
# variables or #SBATCH lines of your own copy of the scripts.
set -euo pipefail
n=$1
out=$2
shift 2
mkdir -p "$out"
here=$(dirname "$0")
array=$(sbatch --parsable --array=0-$((n - 1)) --output="$out/shard-%a.log" \
  "$here/analyze-shard.sbatch" "$out" "$@")
sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --output="$out/merge.log" "$here/merge.sbatch" "$out" "$n"
