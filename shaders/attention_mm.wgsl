// attention_mm — the causal attention forward of shaders/attention.wgsl (same Dims, bindings and
// outputs: out, lse; a batch's sequences on grid z) on subgroup matrices, for the f16 path: q, k,
// v rounded to f16 as they are staged, S = q·kᵀ and out = P·v formed on the tensor cores with f32
// sums. Two passes over the keys, so that no result matrix needs a per-row rescale (a subgroup
// matrix has no row access): pass 1 forms S and keeps each row's running max and Σ exp (lse);
// pass 2 forms S again, P = exp(S · scale − lse) rounded to f16, and out += P·v.
// Work split: a workgroup of 4 subgroups takes 64 queries (16 each) of one head against chunks of
// 32 keys staged in workgroup memory; lane l of a subgroup owns half a row of its 16 × 32 block of
// S (row l / 2, columns 16 (l % 2) …), and the two halves meet by subgroupShuffleXor.
// DH (the head dimension, a multiple of 16 up to 128) is declared by src/gpu/ops/attention.ts.
// Twin: attentionForward over f16 operands with P rounded to f16 (src/reference/attention.ts).
// Outputs: out (rows < T) and lse overwritten.

struct Dims { T: u32, H: u32, Hkv: u32, Dh: u32, scale: f32, stride: u32, _b: u32, _c: u32, Ts: array<vec4u, 2> }

@group(0) @binding(0) var<storage, read_write> out0: array<f32>; // out (rows, H·Dh)
@group(0) @binding(1) var<storage, read_write> out1: array<f32>; // lse (H, T) per sequence
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(9) var<uniform> dims: Dims;

const QB: u32 = 64u;  // queries per workgroup (16 per subgroup)
const KB: u32 = 32u;  // keys per chunk
const NC: u32 = DH / 16u; // 16-wide blocks of the head dimension
const SQ: u32 = DH + 8u;  // padded row strides (f16): a block's rows in different banks
const SP: u32 = KB + 8u;
var<workgroup> gq: array<f16, QB * SQ>;   // q rows t0 …, row-major
var<workgroup> gk: array<f16, KB * SQ>;   // k rows u0 …
var<workgroup> gv: array<f16, KB * SQ>;   // v rows u0 …
var<workgroup> gs: array<f32, 4u * 16u * KB>; // per subgroup: its 16 × 32 block of S
var<workgroup> gp: array<f16, 4u * 16u * SP>; // per subgroup: P (f16)

var<private> base: u32;

// Rows r0 … r0 + n − 1 of head hh of a (rows, heads · DH) array, zero past T, into `which` (0 q,
// 1 k, 2 v) as f16 with row stride SQ; each invocation reads all its values before storing any.
fn stage(which: u32, r0: u32, n: u32, hh: u32, heads: u32, li: u32, T: u32) {
  const PER: u32 = QB * DH / 128u; // the most values per invocation (q: 64 rows)
  var val: array<f32, PER>;
  let count = n * DH / 128u;
  for (var j = 0u; j < PER; j++) {
    let e = li + 128u * j;
    let r = e / DH;
    if (j < count && r0 + r < T) {
      let at = ((base + r0 + r) * heads + hh) * DH + e % DH;
      switch (which) {
        case 0u: { val[j] = q[at]; }
        case 1u: { val[j] = k[at]; }
        default: { val[j] = v[at]; }
      }
    }
  }
  for (var j = 0u; j < PER; j++) {
    let e = li + 128u * j;
    if (j < count) {
      let at = (e / DH) * SQ + e % DH;
      switch (which) {
        case 0u: { gq[at] = f16(val[j]); }
        case 1u: { gk[at] = f16(val[j]); }
        default: { gv[at] = f16(val[j]); }
      }
    }
  }
}

// S (16 × 32) of subgroup sg's queries against the staged chunk, into its slot of gs.
fn scores(sg: u32) {
  var s0 = subgroup_matrix_result<f32, 16, 16>();
  var s1 = subgroup_matrix_result<f32, 16, 16>();
  for (var e0 = 0u; e0 < DH; e0 += 16u) {
    let a = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&gq, sg * 16u * SQ + e0, false, SQ);
    // kᵀ: element (e, u) at u · SQ + e, i.e. column-major
    let b0 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gk, e0, true, SQ);
    let b1 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gk, 16u * SQ + e0, true, SQ);
    s0 = subgroupMatrixMultiplyAccumulate(a, b0, s0);
    s1 = subgroupMatrixMultiplyAccumulate(a, b1, s1);
  }
  subgroupMatrixStore(&gs, sg * 16u * KB, s0, false, KB);
  subgroupMatrixStore(&gs, sg * 16u * KB + 16u, s1, false, KB);
}

@compute @workgroup_size(128)
fn attention_forward_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                        @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  base = wg.z * dims.stride;
  let T = dims.Ts[wg.z / 4u][wg.z % 4u];
  let t0 = wg.x * QB;
  if (t0 >= T) { return; } // a shorter sequence of the batch
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  let row = lane / 2u;
  let half = lane % 2u;
  let t = t0 + sg * 16u + row; // this lane's query
  let last = min(t0 + QB, T); // keys u < last
  stage(0u, t0, QB, h, dims.H, li, T);
  // pass 1: each row's max and Σ exp over its keys u ≤ t
  var m = -3.0e38;
  var l = 0.0;
  for (var u0 = 0u; u0 < last; u0 += KB) {
    workgroupBarrier(); // the previous chunk's reads are done
    stage(1u, u0, KB, g, dims.Hkv, li, T);
    workgroupBarrier();
    scores(sg);
    workgroupBarrier();
    for (var c = 0u; c < 16u; c++) {
      let u = u0 + 16u * half + c;
      if (u <= t) {
        let s = gs[(sg * 16u + row) * KB + 16u * half + c] * dims.scale;
        let mn = max(m, s);
        l = l * exp(m - mn) + exp(s - mn);
        m = mn;
      }
    }
  }
  let mo = subgroupShuffleXor(m, 1u);
  let lo = subgroupShuffleXor(l, 1u);
  let mx = max(m, mo);
  let lse = mx + log(l * exp(m - mx) + lo * exp(mo - mx));
  // pass 2: out = Σ_u exp(S · scale − lse) v[u]
  var o0 = subgroup_matrix_result<f32, 16, 16>();
  var o1 = subgroup_matrix_result<f32, 16, 16>();
  var o2 = subgroup_matrix_result<f32, 16, 16>();
  var o3 = subgroup_matrix_result<f32, 16, 16>();
  var o4 = subgroup_matrix_result<f32, 16, 16>();
  var o5 = subgroup_matrix_result<f32, 16, 16>();
  var o6 = subgroup_matrix_result<f32, 16, 16>();
  var o7 = subgroup_matrix_result<f32, 16, 16>();
  for (var u0 = 0u; u0 < last; u0 += KB) {
    workgroupBarrier();
    stage(1u, u0, KB, g, dims.Hkv, li, T);
    stage(2u, u0, KB, g, dims.Hkv, li, T);
    workgroupBarrier();
    scores(sg);
    workgroupBarrier();
    for (var c = 0u; c < 16u; c++) {
      let u = u0 + 16u * half + c;
      let s = gs[(sg * 16u + row) * KB + 16u * half + c] * dims.scale;
      gp[(sg * 16u + row) * SP + 16u * half + c] = f16(select(0.0, exp(s - lse), u <= t));
    }
    workgroupBarrier();
    for (var kb = 0u; kb < KB; kb += 16u) {
      let p = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&gp, sg * 16u * SP + kb, false, SP);
      let vb = kb * SQ;
      o0 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb, false, SQ), o0);
      if (NC > 1u) { o1 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 16u, false, SQ), o1); }
      if (NC > 2u) { o2 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 32u, false, SQ), o2); }
      if (NC > 3u) { o3 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 48u, false, SQ), o3); }
      if (NC > 4u) { o4 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 64u, false, SQ), o4); }
      if (NC > 5u) { o5 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 80u, false, SQ), o5); }
      if (NC > 6u) { o6 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 96u, false, SQ), o6); }
      if (NC > 7u) { o7 = subgroupMatrixMultiplyAccumulate(p, subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gv, vb + 112u, false, SQ), o7); }
    }
  }
  if (t < T && half == 0u) { out1[base * dims.H + h * T + t] = lse; }
  // out through the subgroup's S slot (16 × 16 at a time; rows past T not written)
  emit(o0, 0u, sg, lane, t0, h, T);
  if (NC > 1u) { emit(o1, 1u, sg, lane, t0, h, T); }
  if (NC > 2u) { emit(o2, 2u, sg, lane, t0, h, T); }
  if (NC > 3u) { emit(o3, 3u, sg, lane, t0, h, T); }
  if (NC > 4u) { emit(o4, 4u, sg, lane, t0, h, T); }
  if (NC > 5u) { emit(o5, 5u, sg, lane, t0, h, T); }
  if (NC > 6u) { emit(o6, 6u, sg, lane, t0, h, T); }
  if (NC > 7u) { emit(o7, 7u, sg, lane, t0, h, T); }
}

// Block eb (dims 16 eb …) of subgroup sg's 16 output rows.
fn emit(o: subgroup_matrix_result<f32, 16, 16>, eb: u32, sg: u32, lane: u32, t0: u32, h: u32, T: u32) {
  workgroupBarrier();
  subgroupMatrixStore(&gs, sg * 16u * KB, o, false, KB);
  workgroupBarrier();
  for (var j = 0u; j < 8u; j++) {
    let e = lane + 32u * j;
    let t = t0 + sg * 16u + e / 16u;
    if (t < T) { out0[((base + t) * dims.H + h) * DH + 16u * eb + e % 16u] = gs[sg * 16u * KB + (e / 16u) * KB + e % 16u]; }
  }
}
