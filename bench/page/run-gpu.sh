#!/bin/bash
# On the GPU machine, from the project root (bench/page/stage-chromium.sh built the carried parts):
#   bash bench/page/run-gpu.sh part     carrying .chs-a, then again carrying .chs-b, in consecutive
#                                       calls on one warm machine: the browser's two halves are
#                                       kept in .chs/ (git-ignored, so it stays between calls) and
#                                       unpacked once both are there;
#   bash .gpucarry/enter.sh bash bench/page/run-gpu.sh run [SECONDS]
#                                       carrying .gpucarry and .pagecarry: a 7B-shape Q4_0 model
#                                       made here (npm run fixture -- --shape 7b), the page benchmark
#                                       in Chromium with the stock flags, `npm run bench` (f32 as the
#                                       page, f16 with Dawn's unsafe toggles) in the same call, then
#                                       the page with f16 allowed if time is left. Results in $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .chs
if [ "${1:-}" = part ]; then
  cp .chs-a/part.* .chs/ 2>/dev/null; cp .chs-b/part.* .chs/ 2>/dev/null
  ls -la .chs
  if [ -f .chs/part.0 ] && [ -f .chs/part.1 ] && [ ! -x .chs/root/chromium-headless-shell ]; then
    mkdir -p .chs/root && cat .chs/part.0 .chs/part.1 | xz -dc | tar -C .chs/root -xf - && echo unpacked
  fi
  exit 0
fi
[ -x .chs/root/chromium-headless-shell ] || { echo "no browser in .chs/: run the two 'part' calls on this machine first"; exit 3; }
budget=${2:-540}
t0=$(date +%s)
left() { echo $(( budget - ($(date +%s) - t0) )); }
P=.pagecarry
[ -f $P/dist/index.html ] || { xz -dc $P/dist.tar.xz | tar -C $P -xf -; }
[ -d $P/node_modules/playwright-core ] || { mkdir -p $P/node_modules && xz -dc $P/playwright-core.tar.xz | tar -C $P/node_modules -xf -; }
export LD_LIBRARY_PATH=$PWD/.chs/root/lib FONTCONFIG_FILE=$PWD/.chs/root/fonts/fonts.conf
CH=$PWD/.chs/root/chromium-headless-shell
"$CH" --version
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv,noheader
M=/tmp/fixture-7b-q4_0.gguf
[ -f $M ] || node $P/fixture.mjs --shape 7b --type q4_0 --out $M
pack() { (cd $OUT && tar czf all.tgz --exclude=all.tgz . 2>/dev/null); }
GPU=(--flag=--enable-logging=stderr --flag=--enable-features=Vulkan --flag=--use-angle=vulkan --flag=--disable-vulkan-surface --flag=--ignore-gpu-blocklist)
page() { # NAME [FLAGS…]
  local name=$1; shift; mkdir -p $OUT/shots-$name
  DEBUG=pw:browser timeout $(( $(left) - 5 )) node $P/page-bench.mjs --chromium "$CH" --dist $P/dist \
    --model $M --step-timeout 240 "${GPU[@]}" "$@" --out $OUT/page-$name.json \
    --shots $OUT/shots-$name > $OUT/log-page-$name.txt 2>&1
  local rc=$?
  grep -E "^[a-z0-9.-]+: (ok|FAILED)" $OUT/log-page-$name.txt
  echo "page $name rc $rc at $(( $(date +%s) - t0 )) s"; pack
}
bench() { # NAME ARGS…
  local name=$1; shift
  timeout $(( $(left) - 5 )) node .gpucarry/bench.mjs --shape 7b --types q4_0 --tokens 128 --skip-ops --streaming \
    --rows multi --stream-samples 16 --repeat 1 "$@" --out $OUT/bench-$name.json > $OUT/log-bench-$name.txt 2>&1
  echo "bench $name rc $? at $(( $(date +%s) - t0 )) s: $(grep -h 'per sample' $OUT/log-bench-$name.txt | cut -c1-220)"; pack
}
page stock
bench f32 --precision f32
bench f16 --unsafe --precision f16
[ "$(left)" -gt 150 ] && page f16 --precision f16 --flag=--enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia
echo "done at $(( $(date +%s) - t0 )) s"
