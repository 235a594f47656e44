// prune_mask — which weights of W (O, I) a pruning removes (METHOD.md §4, the pruning lab): in
// each row, the k entries with the smallest metric, ties to the lower column. Metric (mode):
//   0: |W[o, j]| · scale[j]  (magnitude: scale = 1; Wanda: scale = ‖X_j‖₂)
//   1: seeded uniform in (0, 1] where W ≠ 0, 0 where W = 0 (random)
//   2: metric[o·I + j] given (the paper's score: the calibration set's Σ_s A)
// The metric's f32 bits order like its values (it is ≥ 0), so the k-th smallest key is found by a
// 4-pass radix select over 8-bit digits; then, in column order, keys below it are pruned and keys
// equal to it until k are reached (a workgroup prefix count keeps column order).
// prune_mask_nm: N:M semi-structured sparsity (Wanda's reference: in each row, the N = k smallest
// of every M = dims.group consecutive entries, M ≤ 8; ties to the lower column); one invocation
// per group, 256-wide workgroups on a 2-D grid (dims.groups_x wide). Needs I % M == 0.
// Work split: one 256-wide workgroup per row (prune_mask). Outputs: mask bits (bit e of word e / 32
//   = W's element e pruned) OR-ed in: the caller clears mask first.

struct Dims { O: u32, I: u32, k: u32, mode: u32, seed: u32, group: u32, groups_x: u32, _c: u32 }

@group(0) @binding(0) var<storage, read_write> mask: array<atomic<u32>>; // (ceil(O·I / 32))
@group(0) @binding(1) var<storage, read> wbytes: array<u32>;             // W (O, I)
@group(0) @binding(2) var<storage, read> scale: array<f32>;              // (I), mode 0
@group(0) @binding(3) var<storage, read> metric: array<f32>;             // (O, I), mode 2
@group(0) @binding(4) var<uniform> dims: Dims;

const WG = 256u;

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> sel: vec2u; // (key prefix found so far, how many of the keys left to take)
var<workgroup> flags: array<u32, 256>;
var<workgroup> eq_before: u32;

fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn key(e: u32, j: u32) -> u32 {
  switch (dims.mode) {
    case 0u: {
      return bitcast<u32>(abs(w_elem(e)) * scale[j]);
    }
    case 1u: {
      if (w_elem(e) == 0.0) { return 0u; }
      return bitcast<u32>(f32((pcg(e ^ pcg(dims.seed)) >> 8u) + 1u) / 16777216.0);
    }
    default: {
      return bitcast<u32>(metric[e]);
    }
  }
}

// The k-th smallest key of row `row` and how many keys equal to it are pruned.
fn radix_select(row: u32, li: u32) -> vec2u {
  if (li == 0u) { sel = vec2u(0u, dims.k); }
  for (var p = 0u; p < 4u; p++) {
    let shift = 24u - 8u * p;
    atomicStore(&hist[li], 0u);
    workgroupBarrier();
    let prefix = sel.x;
    for (var j = li; j < dims.I; j += WG) {
      let kk = key(row * dims.I + j, j);
      if (p == 0u || (kk >> (shift + 8u)) == (prefix >> (shift + 8u))) {
        atomicAdd(&hist[(kk >> shift) & 255u], 1u);
      }
    }
    workgroupBarrier();
    if (li == 0u) {
      var cum = 0u;
      for (var b = 0u; b < 256u; b++) {
        let c = atomicLoad(&hist[b]);
        if (cum + c >= sel.y) {
          sel = vec2u(prefix | (b << shift), sel.y - cum);
          break;
        }
        cum += c;
      }
    }
    workgroupBarrier();
  }
  return sel;
}

@compute @workgroup_size(256)
fn prune_mask(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.x;
  if (dims.k == 0u) { return; }
  let found = radix_select(row, li);
  let K = found.x;
  let take = found.y;
  if (li == 0u) { eq_before = 0u; }
  for (var c0 = 0u; c0 < dims.I; c0 += WG) {
    let j = c0 + li;
    let e = row * dims.I + j;
    var kk = 0xffffffffu;
    if (j < dims.I) { kk = key(e, j); }
    let is_eq = j < dims.I && kk == K;
    flags[li] = u32(is_eq);
    workgroupBarrier();
    for (var off = 1u; off < WG; off <<= 1u) {
      var v = flags[li];
      if (li >= off) { v += flags[li - off]; }
      workgroupBarrier();
      flags[li] = v;
      workgroupBarrier();
    }
    let base = eq_before;
    if (j < dims.I && (kk < K || (is_eq && base + flags[li] <= take))) {
      atomicOr(&mask[e >> 5u], 1u << (e & 31u));
    }
    workgroupBarrier();
    if (li == 0u) { eq_before = base + flags[WG - 1u]; }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn prune_mask_nm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = (wg.y * dims.groups_x + wg.x) * WG + li;
  if (g >= dims.O * (dims.I / dims.group)) { return; }
  let e0 = g * dims.group;
  var keys: array<u32, 8>;
  for (var a = 0u; a < dims.group; a++) { keys[a] = key(e0 + a, (e0 + a) % dims.I); }
  for (var a = 0u; a < dims.group; a++) {
    var rank = 0u; // entries before this one in (key, column) order
    for (var b = 0u; b < dims.group; b++) {
      if (keys[b] < keys[a] || (keys[b] == keys[a] && b < a)) { rank++; }
    }
    if (rank < dims.k) { atomicOr(&mask[(e0 + a) >> 5u], 1u << ((e0 + a) & 31u)); }
  }
}
