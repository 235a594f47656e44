// attention — causal multi-head attention with GQA (head h reads kv head h / (H / Hkv)).
// forward: out[t, h] = Σ_{u ≤ t} p[h, t, u] · v[u], p = softmax_u(q[t, h] · k[u] / √Dh), by an
//   online softmax; saves lse[h, t] = log Σ_u exp(score) (no T×T buffer anywhere).
// delta: delta[h, t] = Σ_e dout[t, h, e] · out[t, h, e].
// backward_query: dq[t, h] = Σ_u p (dp − delta) k[u] / √Dh, dp = dout[t, h] · v[u].
// backward_kv: dk[u, g] = Σ_{h∈g} Σ_{t≥u} p (dp − delta) q[t, h] / √Dh; dv[u, g] = Σ p dout[t, h].
// Shapes: q, out, dout, dq (T, H·Dh); k, v, dk, dv (T, Hkv·Dh); lse, delta (H, T). Dh ≤ 256.
// Work split: one invocation per (t, h) (forward, delta, backward_query) or per (u, g)
//   (backward_kv), each holding a Dh-vector in registers; memory grows as O(T·H·Dh).
// Outputs: all overwritten.

const MAX_DH: u32 = 256u;

// T: the tokens (the per-row kernels); the block kernels and delta take sequence z (grid z) of
// T[z / 4][z % 4] tokens at rows z · stride … of q, k, v, out, dout and of the (rows, H) lse and
// delta (whose sequence z holds its (H, T) statistics from row z · stride · H on)
struct Dims { T: u32, H: u32, Hkv: u32, Dh: u32, scale: f32, stride: u32, _b: u32, _c: u32, Ts: array<vec4u, 2> }

@group(0) @binding(0) var<storage, read_write> out0: array<f32>; // forward: out; delta: delta; bq: dq; bkv: dk
@group(0) @binding(1) var<storage, read_write> out1: array<f32>; // forward: lse; bkv: dv
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> att: array<f32>;        // forward output (delta only)
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read> delta: array<f32>;
@group(0) @binding(9) var<uniform> dims: Dims;

var<private> base: u32; // the first row of the sequence this invocation works on (0 but in a batch)

fn qi(t: u32, h: u32) -> u32 { return ((base + t) * dims.H + h) * dims.Dh; }
fn ki(u: u32, g: u32) -> u32 { return ((base + u) * dims.Hkv + g) * dims.Dh; }
// (h, t) of the (H, T) statistics of a sequence of T tokens
fn hti(h: u32, t: u32, T: u32) -> u32 { return base * dims.H + h * T + t; }

// Sequence z: its tokens (a uniform value, for loop bounds around barriers); sets `base`.
fn seq(z: u32) -> u32 {
  base = z * dims.stride;
  return dims.Ts[z / 4u][z % 4u];
}

fn score(t: u32, h: u32, u: u32, g: u32) -> f32 {
  var s = 0.0;
  for (var e = 0u; e < dims.Dh; e++) { s += q[qi(t, h) + e] * k[ki(u, g) + e]; }
  return s * dims.scale;
}

@compute @workgroup_size(64)
fn attention_forward(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  if (t >= dims.T || h >= dims.H) { return; }
  let g = h / (dims.H / dims.Hkv);
  var acc: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { acc[e] = 0.0; }
  var m = -3.0e38;
  var l = 0.0;
  for (var u = 0u; u <= t; u++) {
    let s = score(t, h, u, g);
    let mn = max(m, s);
    let corr = exp(m - mn);
    let p = exp(s - mn);
    l = l * corr + p;
    for (var e = 0u; e < dims.Dh; e++) { acc[e] = acc[e] * corr + p * v[ki(u, g) + e]; }
    m = mn;
  }
  for (var e = 0u; e < dims.Dh; e++) { out0[qi(t, h) + e] = acc[e] / l; }
  out1[h * dims.T + t] = m + log(l);
}

@compute @workgroup_size(64)
fn attention_delta(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  let T = seq(gid.z);
  if (t >= T || h >= dims.H) { return; }
  var s = 0.0;
  for (var e = 0u; e < dims.Dh; e++) { s += dout[qi(t, h) + e] * att[qi(t, h) + e]; }
  out0[hti(h, t, T)] = s;
}

@compute @workgroup_size(64)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  if (t >= dims.T || h >= dims.H) { return; }
  let g = h / (dims.H / dims.Hkv);
  var acc: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { acc[e] = 0.0; }
  let L = lse[h * dims.T + t];
  let D = delta[h * dims.T + t];
  for (var u = 0u; u <= t; u++) {
    let p = exp(score(t, h, u, g) - L);
    var dp = 0.0;
    for (var e = 0u; e < dims.Dh; e++) { dp += dout[qi(t, h) + e] * v[ki(u, g) + e]; }
    let ds = p * (dp - D) * dims.scale;
    for (var e = 0u; e < dims.Dh; e++) { acc[e] += ds * k[ki(u, g) + e]; }
  }
  for (var e = 0u; e < dims.Dh; e++) { out0[qi(t, h) + e] = acc[e]; }
}

@compute @workgroup_size(64)
fn attention_backward_kv(@builtin(global_invocation_id) gid: vec3u) {
  let u = gid.x;
  let g = gid.y;
  if (u >= dims.T || g >= dims.Hkv) { return; }
  let group = dims.H / dims.Hkv;
  var dk: array<f32, MAX_DH>;
  var dv: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { dk[e] = 0.0; dv[e] = 0.0; }
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t = u; t < dims.T; t++) {
      let p = exp(score(t, h, u, g) - lse[h * dims.T + t]);
      var dp = 0.0;
      for (var e = 0u; e < dims.Dh; e++) { dp += dout[qi(t, h) + e] * v[ki(u, g) + e]; }
      let ds = p * (dp - delta[h * dims.T + t]) * dims.scale;
      for (var e = 0u; e < dims.Dh; e++) {
        dk[e] += ds * q[qi(t, h) + e];
        dv[e] += p * dout[qi(t, h) + e];
      }
    }
  }
  for (var e = 0u; e < dims.Dh; e++) {
    out0[ki(u, g) + e] = dk[e];
    out1[ki(u, g) + e] = dv[e];
  }
}

// ---- Workgroup kernels (real GPUs): one 32-wide workgroup per (t, h) (forward, backward_query)
// or (u, g) (backward_kv). Invocation i holds dims e = i, i + 32, … (≤ 8 of them) in registers;
// keys (or queries) go in blocks of 32: each invocation forms partial dot products for the block,
// they meet in workgroup memory, and invocation j sums key j's. T·H workgroups instead of T·H
// invocations, and no Dh-long array per invocation.

const WG_A: u32 = 32u;
const PER_E: u32 = 8u; // MAX_DH / WG_A
var<workgroup> part_s: array<f32, 1024>; // [key j][invocation i] partial q·k
var<workgroup> part_d: array<f32, 1024>; // [key j][invocation i] partial dout·v
var<workgroup> blk_s: array<f32, 32>;    // per key of the block: score (forward: p) or p
var<workgroup> blk_d: array<f32, 32>;    // per key of the block: ds

fn sum_part(j: u32, dot_d: bool) -> f32 {
  var s = 0.0;
  for (var i = 0u; i < WG_A; i++) {
    if (dot_d) { s += part_d[j * WG_A + i]; } else { s += part_s[j * WG_A + i]; }
  }
  return s;
}

@compute @workgroup_size(32)
fn attention_forward_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  var qv: array<f32, PER_E>;
  var acc: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    qv[r] = select(0.0, q[qi(t, h) + min(e, dims.Dh - 1u)], e < dims.Dh);
    acc[r] = 0.0;
  }
  var m = -3.0e38;
  var l = 0.0;
  for (var u0 = 0u; u0 <= t; u0 += WG_A) {
    let n = min(WG_A, t + 1u - u0);
    for (var j = 0u; j < n; j++) {
      var s = 0.0;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { s += qv[r] * k[ki(u0 + j, g) + e]; }
      }
      part_s[j * WG_A + i] = s;
    }
    workgroupBarrier();
    if (i < n) { blk_s[i] = sum_part(i, false) * dims.scale; }
    workgroupBarrier();
    // every invocation runs the same online-softmax update over the block, key by key
    for (var j = 0u; j < n; j++) {
      let s = blk_s[j];
      let mn = max(m, s);
      let corr = exp(m - mn);
      let p = exp(s - mn);
      l = l * corr + p;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { acc[r] = acc[r] * corr + p * v[ki(u0 + j, g) + e]; }
      }
      m = mn;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) { out0[qi(t, h) + e] = acc[r] / l; }
  }
  if (i == 0u) { out1[h * dims.T + t] = m + log(l); }
}

@compute @workgroup_size(32)
fn attention_backward_query_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  var qv: array<f32, PER_E>;
  var dov: array<f32, PER_E>;
  var acc: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    let ec = min(e, dims.Dh - 1u);
    qv[r] = select(0.0, q[qi(t, h) + ec], e < dims.Dh);
    dov[r] = select(0.0, dout[qi(t, h) + ec], e < dims.Dh);
    acc[r] = 0.0;
  }
  let L = lse[h * dims.T + t];
  let D = delta[h * dims.T + t];
  for (var u0 = 0u; u0 <= t; u0 += WG_A) {
    let n = min(WG_A, t + 1u - u0);
    for (var j = 0u; j < n; j++) {
      var s = 0.0;
      var dp = 0.0;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) {
          s += qv[r] * k[ki(u0 + j, g) + e];
          dp += dov[r] * v[ki(u0 + j, g) + e];
        }
      }
      part_s[j * WG_A + i] = s;
      part_d[j * WG_A + i] = dp;
    }
    workgroupBarrier();
    if (i < n) {
      let p = exp(sum_part(i, false) * dims.scale - L);
      blk_d[i] = p * (sum_part(i, true) - D) * dims.scale;
    }
    workgroupBarrier();
    for (var j = 0u; j < n; j++) {
      let ds = blk_d[j];
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { acc[r] += ds * k[ki(u0 + j, g) + e]; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) { out0[qi(t, h) + e] = acc[r]; }
  }
}

@compute @workgroup_size(32)
fn attention_backward_kv_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let u = wg.x;
  let g = wg.y;
  let group = dims.H / dims.Hkv;
  var kv: array<f32, PER_E>;
  var vv: array<f32, PER_E>;
  var dk: array<f32, PER_E>;
  var dv: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    let ec = min(e, dims.Dh - 1u);
    kv[r] = select(0.0, k[ki(u, g) + ec], e < dims.Dh);
    vv[r] = select(0.0, v[ki(u, g) + ec], e < dims.Dh);
    dk[r] = 0.0;
    dv[r] = 0.0;
  }
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t0 = u; t0 < dims.T; t0 += WG_A) {
      let n = min(WG_A, dims.T - t0);
      for (var j = 0u; j < n; j++) {
        var s = 0.0;
        var dp = 0.0;
        for (var r = 0u; r < PER_E; r++) {
          let e = i + r * WG_A;
          if (e < dims.Dh) {
            s += q[qi(t0 + j, h) + e] * kv[r];
            dp += dout[qi(t0 + j, h) + e] * vv[r];
          }
        }
        part_s[j * WG_A + i] = s;
        part_d[j * WG_A + i] = dp;
      }
      workgroupBarrier();
      if (i < n) {
        let t = t0 + i;
        let p = exp(sum_part(i, false) * dims.scale - lse[h * dims.T + t]);
        blk_s[i] = p;
        blk_d[i] = p * (sum_part(i, true) - delta[h * dims.T + t]) * dims.scale;
      }
      workgroupBarrier();
      for (var j = 0u; j < n; j++) {
        let p = blk_s[j];
        let ds = blk_d[j];
        for (var r = 0u; r < PER_E; r++) {
          let e = i + r * WG_A;
          if (e < dims.Dh) {
            dk[r] += ds * q[qi(t0 + j, h) + e];
            dv[r] += p * dout[qi(t0 + j, h) + e];
          }
        }
      }
      workgroupBarrier();
    }
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) {
      out0[ki(u, g) + e] = dk[r];
      out1[ki(u, g) + e] = dv[r];
    }
  }
}

// ---- Block kernels (real GPUs, Dh a multiple of 16 up to 128): 256 invocations take a block of
// 16 queries (forward, backward_query) or 16 keys (backward_kv) of one head against chunks of 16
// keys (queries) staged in workgroup memory. Invocation li = 16 r + j forms the one score of
// block row r and chunk column j, then holds dims e = j + 16 c (c < Dh / 16) of row r's output.
// The online softmax runs per chunk (the chunk's max, then one rescale), so sums differ in
// order from the per-key kernels above, within f32 rounding. Workgroup memory ≈ 27 KB. Loops
// over an invocation's dims run to the constant 8 (guarded), so that its arrays stay in
// registers (a runtime bound put them in local memory: slower than the per-row kernels).
// Grid z: the sequences of a batch (Dims), one dispatch for all of them.

const BQ: u32 = 16u;
const BST: u32 = 129u; // padded row stride of staged (16, Dh ≤ 128) blocks: conflict-free dots
const BPS: u32 = 17u;  // padded row stride of the (16, 16) score blocks
var<workgroup> blk_a: array<f32, 2064>; // 16 × BST: forward q, backward_query k, backward_kv q
var<workgroup> blk_b: array<f32, 2064>; // forward k, backward_query v, backward_kv dout
var<workgroup> blk_c: array<f32, 2064>; // forward v
var<workgroup> blk_p: array<f32, 272>;  // 16 × BPS: scores, then p
var<workgroup> blk_q: array<f32, 272>;  // 16 × BPS: ds

fn blk_put(which: u32, at: u32, val: f32) {
  switch (which) {
    case 0u: { blk_a[at] = val; }
    case 1u: { blk_b[at] = val; }
    default: { blk_c[at] = val; }
  }
}

// Stages rows r0 … r0 + 15 of q (src 0), k (1) or v (2) — head or kv head `hh` of a
// (T, heads·Dh) array, zero past T — into `which` of blk_a/b/c (0/1/2) with row stride BST.
// Invocation li takes dim li % 128 of rows li / 128, + 2, …: no division by the runtime Dh. All
// eight values are read before any is stored (one memory latency, not eight).
fn blk_stage(which: u32, src: u32, r0: u32, hh: u32, heads: u32, li: u32, T: u32) {
  let e = li % 128u;
  if (e >= dims.Dh) { return; }
  var val: array<f32, 8>;
  for (var n = 0u; n < 8u; n++) {
    let r = li / 128u + 2u * n;
    if (r0 + r < T) {
      let at = ((base + r0 + r) * heads + hh) * dims.Dh + e;
      switch (src) {
        case 0u: { val[n] = q[at]; }
        case 1u: { val[n] = k[at]; }
        default: { val[n] = v[at]; }
      }
    }
  }
  for (var n = 0u; n < 8u; n++) { blk_put(which, (li / 128u + 2u * n) * BST + e, val[n]); }
}

// blk_stage for dout (its own function, so that only the kernels that stage it bind it).
fn blk_stage_dout(which: u32, r0: u32, h: u32, li: u32, T: u32) {
  let e = li % 128u;
  if (e >= dims.Dh) { return; }
  var val: array<f32, 8>;
  for (var n = 0u; n < 8u; n++) {
    let r = li / 128u + 2u * n;
    if (r0 + r < T) { val[n] = dout[((base + r0 + r) * dims.H + h) * dims.Dh + e]; }
  }
  for (var n = 0u; n < 8u; n++) { blk_put(which, (li / 128u + 2u * n) * BST + e, val[n]); }
}

@compute @workgroup_size(256)
fn attention_forward_blk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let T = seq(wg.z);
  let t0 = wg.x * BQ;
  if (t0 >= T) { return; } // a shorter sequence of the batch
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  let r = li / BQ;
  let j = li % BQ;
  let t = t0 + r;
  let nc = dims.Dh / BQ;
  blk_stage(0u, 0u, t0, h, dims.H, li, T);
  var acc: array<f32, 8>;
  var m = -3.0e38;
  var l = 0.0;
  let last = min(t0 + BQ, T); // keys u < last
  for (var u0 = 0u; u0 < last; u0 += BQ) {
    workgroupBarrier(); // the previous chunk's reads are done
    blk_stage(1u, 1u, u0, g, dims.Hkv, li, T);
    blk_stage(2u, 2u, u0, g, dims.Hkv, li, T);
    workgroupBarrier();
    var s = 0.0;
    for (var e = 0u; e < dims.Dh; e++) { s += blk_a[r * BST + e] * blk_b[j * BST + e]; }
    blk_p[r * BPS + j] = s * dims.scale;
    workgroupBarrier();
    var mc = m;
    for (var jj = 0u; jj < BQ; jj++) {
      if (u0 + jj <= t) { mc = max(mc, blk_p[r * BPS + jj]); }
    }
    let corr = exp(m - mc);
    l *= corr;
    for (var c = 0u; c < 8u; c++) { if (c < nc) { acc[c] *= corr; } }
    for (var jj = 0u; jj < BQ; jj++) {
      if (u0 + jj <= t) {
        let p = exp(blk_p[r * BPS + jj] - mc);
        l += p;
        for (var c = 0u; c < 8u; c++) { if (c < nc) { acc[c] += p * blk_c[jj * BST + j + BQ * c]; } }
      }
    }
    m = mc;
  }
  if (t < T) {
    for (var c = 0u; c < 8u; c++) { if (c < nc) { out0[qi(t, h) + j + BQ * c] = acc[c] / l; } }
    if (j == 0u) { out1[hti(h, t, T)] = m + log(l); }
  }
}

@compute @workgroup_size(256)
fn attention_backward_query_blk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let T = seq(wg.z);
  let t0 = wg.x * BQ;
  if (t0 >= T) { return; }
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  let r = li / BQ;
  let j = li % BQ;
  let t = t0 + r;
  let tc = min(t, T - 1u); // rows past T compute on row T - 1 and write nothing
  let nc = dims.Dh / BQ;
  let L = lse[hti(h, tc, T)];
  let D = delta[hti(h, tc, T)];
  var acc: array<f32, 8>;
  let last = min(t0 + BQ, T);
  for (var u0 = 0u; u0 < last; u0 += BQ) {
    workgroupBarrier();
    blk_stage(0u, 1u, u0, g, dims.Hkv, li, T);
    blk_stage(1u, 2u, u0, g, dims.Hkv, li, T);
    workgroupBarrier();
    var s = 0.0;
    var dp = 0.0;
    for (var e = 0u; e < dims.Dh; e++) {
      s += q[qi(tc, h) + e] * blk_a[j * BST + e];
      dp += dout[qi(tc, h) + e] * blk_b[j * BST + e];
    }
    var ds = 0.0;
    if (u0 + j <= t) { ds = exp(s * dims.scale - L) * (dp - D) * dims.scale; }
    blk_q[r * BPS + j] = ds;
    workgroupBarrier();
    for (var jj = 0u; jj < BQ; jj++) {
      let d = blk_q[r * BPS + jj];
      for (var c = 0u; c < 8u; c++) { if (c < nc) { acc[c] += d * blk_a[jj * BST + j + BQ * c]; } }
    }
  }
  if (t < T) {
    for (var c = 0u; c < 8u; c++) { if (c < nc) { out0[qi(t, h) + j + BQ * c] = acc[c]; } }
  }
}

@compute @workgroup_size(256)
fn attention_backward_kv_blk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let T = seq(wg.z);
  let u0 = wg.x * BQ;
  if (u0 >= T) { return; }
  let g = wg.y;
  let group = dims.H / dims.Hkv;
  let r = li / BQ; // key u0 + r
  let j = li % BQ; // query t0 + j of the chunk
  let u = u0 + r;
  let uc = min(u, T - 1u);
  let nc = dims.Dh / BQ;
  var dk: array<f32, 8>;
  var dv: array<f32, 8>;
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t0 = u0; t0 < T; t0 += BQ) {
      workgroupBarrier();
      blk_stage(0u, 0u, t0, h, dims.H, li, T);
      blk_stage_dout(1u, t0, h, li, T);
      workgroupBarrier();
      let t = t0 + j;
      var p = 0.0;
      var ds = 0.0;
      if (t < T && t >= u) {
        var s = 0.0;
        var dp = 0.0;
        for (var e = 0u; e < dims.Dh; e++) {
          s += blk_a[j * BST + e] * k[ki(uc, g) + e];
          dp += blk_b[j * BST + e] * v[ki(uc, g) + e];
        }
        p = exp(s * dims.scale - lse[hti(h, t, T)]);
        ds = p * (dp - delta[hti(h, t, T)]) * dims.scale;
      }
      blk_p[r * BPS + j] = p;
      blk_q[r * BPS + j] = ds;
      workgroupBarrier();
      for (var jj = 0u; jj < BQ; jj++) {
        let pp = blk_p[r * BPS + jj];
        let dd = blk_q[r * BPS + jj];
        for (var c = 0u; c < 8u; c++) { if (c < nc) {
          dk[c] += dd * blk_a[jj * BST + j + BQ * c];
          dv[c] += pp * blk_b[jj * BST + j + BQ * c];
        } }
      }
    }
  }
  if (u < T) {
    for (var c = 0u; c < 8u; c++) { if (c < nc) {
      out0[ki(u, g) + j + BQ * c] = dk[c];
      out1[ki(u, g) + j + BQ * c] = dv[c];
    } }
  }
}
