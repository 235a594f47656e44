// attention_blk — shaders/attention.wgsl's forward and backward as 16-row block kernels (real GPUs,
// head dimension a multiple of 16 up to 128), appended after attention.wgsl (its Dims, bindings,
// qi/ki/hti/seq) by src/gpu/ops/attention.ts. Twin: src/reference/attention.ts.
//
// Block kernels (real GPUs, Dh a multiple of 16 up to 128): 256 invocations take a block of
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
// the dots' loops run to this constant and stop at dims.Dh, so that WGSL's bounds rule can see
// that j · BST + e stays in the stage (a loop to dims.Dh had every stage read clamped)
const DH_MAX: u32 = 128u;
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
    for (var e = 0u; e < DH_MAX; e++) {
      if (e >= dims.Dh) { break; }
      s += blk_a[r * BST + e] * blk_b[j * BST + e];
    }
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
    for (var e = 0u; e < DH_MAX; e++) {
      if (e >= dims.Dh) { break; }
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
        for (var e = 0u; e < DH_MAX; e++) {
          if (e >= dims.Dh) { break; }
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
