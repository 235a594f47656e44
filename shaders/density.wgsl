// density — at the end of a layer: mean = acc / N per parameter, then counts of means above each
// threshold, a log10 histogram of the means (src/analysis/histogram.ts: 240 bins of 0.1 decade
// from 1e-20, plus zeros, under, over), and per-workgroup partial Σ mean.
// Work split: 256-wide workgroups on a 2-D grid, each over 2048 consecutive parameters (8 per
//   invocation, strided by 256 so loads stay coalesced); counts and bins go through workgroup
//   atomics, then one atomicAdd per workgroup (integers: deterministic); Σ mean per invocation in
//   a fixed order, then a fixed tree.
// Outputs: `counts` ACCUMULATED (zero it first); partials overwritten.

const MAX_K: u32 = 8u;
const PER: u32 = 8u; // parameters per invocation
const BINS: u32 = 240u;
// counts layout: [0, K) thresholds; K + 0: zeros; K + 1: under; K + 2 + b: bin b; K + 2 + BINS: over

struct Dims { n: u32, samples: u32, K: u32, groups_x: u32 }

@group(0) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>; // (workgroups)
@group(0) @binding(2) var<storage, read> acc: array<f32>;            // (n)
@group(0) @binding(3) var<storage, read> thresholds: array<f32>;     // (K)
@group(0) @binding(4) var<uniform> dims: Dims;

var<workgroup> local_counts: array<atomic<u32>, 256>; // MAX_K + 3 + BINS = 251 ≤ 256
var<workgroup> sums: array<f32, 256>;

@compute @workgroup_size(256)
fn density_finish(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  atomicStore(&local_counts[li], 0u);
  workgroupBarrier();
  let slot = wg.y * dims.groups_x + wg.x;
  var sum = 0.0;
  for (var r = 0u; r < PER; r++) {
  let p = slot * (256u * PER) + r * 256u + li;
  if (p < dims.n) {
    let m = acc[p] / f32(dims.samples);
    sum += m;
    for (var k = 0u; k < dims.K; k++) {
      if (m > thresholds[k]) { atomicAdd(&local_counts[k], 1u); }
    }
    let K = dims.K;
    if (m == 0.0) {
      atomicAdd(&local_counts[K], 1u);
    } else {
      let b = i32(floor((log2(m) * 0.30102999566398120 + 20.0) * 10.0));
      if (b < 0) { atomicAdd(&local_counts[K + 1u], 1u); }
      else if (b >= i32(BINS)) { atomicAdd(&local_counts[K + 2u + BINS], 1u); }
      else { atomicAdd(&local_counts[K + 2u + u32(b)], 1u); }
    }
  }
  }
  sums[li] = sum;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { sums[li] += sums[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u) { partials[slot] = sums[0]; }
  let total = dims.K + 3u + BINS;
  if (li < total) {
    let c = atomicLoad(&local_counts[li]);
    if (c > 0u) { atomicAdd(&counts[li], c); }
  }
}
