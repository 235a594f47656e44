// linear_f16 — the f16 path of shaders/linear.wgsl: forward Y = X Wᵀ and backward dX = dY W
// with both operands rounded to f16 and f32 accumulation (src/gpu/ops/linear.ts prepends
// `enable f16;`). The left operand is multiplied by `scale` (a power of two: 1 forward, 2¹⁰ for
// gradients, so that small gradients stay normal f16 numbers) before rounding and the output
// divided by it again, which is exact.
// 128 invocations take a 64 × 64 output tile; the reduction runs in chunks of 32 staged as f16
// in workgroup memory (weights decoded once per tile). Two ways to multiply a staged chunk: here
// with f32 multiply-adds (any adapter with shader-f16), in shaders/linear_mm.wgsl with subgroup
// matrices (tensor cores). Split-K as in linear.wgsl (chunk > 0: raw partials, one per
// workgroup z, summed in order and unscaled by linear_split_sum there).
// Outputs: `out` overwritten.

struct Dims { T: u32, I: u32, O: u32, chunk: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // forward: Y (T, O); backward_input: dX (T, I)
@group(0) @binding(1) var<storage, read> a: array<f32>;         // forward: X (T, I); backward_input: dY (T, O)
@group(0) @binding(2) var<storage, read> wbytes: array<u32>;    // W (O, I), GGUF bytes of type QTYPE
@group(0) @binding(3) var<uniform> dims: Dims;

const FM: u32 = 64u; // output rows (tokens) per tile
const FN: u32 = 64u; // output columns per tile
const FK: u32 = 32u; // reduction chunk

var<workgroup> sa: array<f16, 2048>; // left operand chunk (FM, FK), row-major
var<workgroup> sb: array<f16, 2048>; // right operand chunk (FK, FN), row-major

// This workgroup's reduction range [kb, K) of Kall, and the output width N.
struct Span { kb: u32, K: u32, Kall: u32, N: u32 }

fn span(z: u32, backward: bool) -> Span {
  let Kall = select(dims.I, dims.O, backward);
  let kb = z * dims.chunk;
  return Span(kb, select(Kall, min(Kall, kb + dims.chunk), dims.chunk > 0u), Kall,
              select(dims.O, dims.I, backward));
}

// Stages the chunk at k0 of a (T, Kall) · B, B = Wᵀ (forward) or W (backward); zero outside.
fn stage_f16(k0: u32, s: Span, row0: u32, col0: u32, li: u32, backward: bool) {
  for (var r = 0u; r < 16u; r++) {
    let e = li + 128u * r;
    let t = row0 + e / FK;
    let k = k0 + e % FK;
    var v = 0.0;
    if (t < dims.T && k < s.K) { v = a[t * s.Kall + k] * dims.scale; }
    sa[e] = f16(v);
  }
  for (var r = 0u; r < 2u; r++) {
    // group g: 8 elements along a row of W (forward: k, backward: n)
    let g = li + 128u * r;
    let kk = select((g % 4u) * 8u, g / 8u, backward);
    let nn = select(g / 4u, (g % 8u) * 8u, backward);
    let v = w_b8(k0 + kk, col0 + nn, s.K, s.N, dims.I, backward);
    for (var c = 0u; c < 8u; c++) {
      sb[select((kk + c) * FN + nn, kk * FN + nn + c, backward)] = f16(v[c]);
    }
  }
}

// Writes output element (m, n) of the tile: unscaled, or raw into the partial of workgroup z
// under split-K (linear_split_sum unscales the sum).
fn put(z: u32, s: Span, t: u32, n: u32, v: f32) {
  let f = select(1.0 / dims.scale, 1.0, dims.chunk > 0u);
  if (t < dims.T && n < s.N) { out[z * dims.T * s.N + t * s.N + n] = v * f; }
}

// Invocation li: rows ty + 16 j (j < 4), columns 8 tx + c (c < 8) of the tile.
fn f16_tile(wg: vec3u, li: u32, backward: bool) {
  let s = span(wg.z, backward);
  let row0 = wg.y * FM;
  let col0 = wg.x * FN;
  let ty = li / 8u;
  let tx = li % 8u;
  var acc: array<f32, 32>;
  for (var k0 = s.kb; k0 < s.K; k0 += FK) {
    stage_f16(k0, s, row0, col0, li, backward);
    workgroupBarrier();
    for (var k = 0u; k < FK; k++) {
      var bv: array<f32, 8>;
      for (var c = 0u; c < 8u; c++) { bv[c] = f32(sb[k * FN + 8u * tx + c]); }
      for (var j = 0u; j < 4u; j++) {
        let av = f32(sa[(ty + 16u * j) * FK + k]);
        for (var c = 0u; c < 8u; c++) { acc[j * 8u + c] += av * bv[c]; }
      }
    }
    workgroupBarrier();
  }
  for (var j = 0u; j < 4u; j++) {
    for (var c = 0u; c < 8u; c++) { put(wg.z, s, row0 + ty + 16u * j, col0 + 8u * tx + c, acc[j * 8u + c]); }
  }
}

@compute @workgroup_size(128)
fn linear_forward_f16(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  f16_tile(wg, li, false);
}

@compute @workgroup_size(128)
fn linear_backward_input_f16(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  f16_tile(wg, li, true);
}
