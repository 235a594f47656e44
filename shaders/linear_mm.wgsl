// linear_mm — the f16 path of shaders/linear_f16.wgsl on subgroup matrices (tensor cores;
// feature chromium-experimental-subgroup-matrix with an f16 × f16 → f32, 16 × 16 × 16
// configuration and 32-wide subgroups). Compiled after linear_f16.wgsl (same bindings, Dims,
// span and output); src/gpu/ops/linear.ts prepends the `enable` / `requires` lines.
// 4 subgroups take a 128 × 64 output tile (all of T = 128 tokens: each weight is decoded once
// per 128 tokens), 32 rows each as 2 × 4 result matrices. The reduction runs in chunks of 32:
// the next chunk is read into registers (weights decoded 8 along a row at a time) while the
// tensor cores work on the current one, staged as f16 in workgroup memory — the forward pass's
// weights as (n, k) rows, loaded column-major. The matrix builtins want subgroup-uniform
// offsets: subgroup_id under `requires subgroup_uniformity`. Each result matrix goes through a
// per-subgroup 16 × 16 slot of workgroup memory to the bounds-checked output.

const MM: u32 = 128u; // output rows (tokens) per tile
const MN: u32 = 64u;  // output columns per tile
const MK: u32 = 32u;  // reduction chunk

var<workgroup> ma: array<f16, 4096>; // (MM, MK), row-major
var<workgroup> mb: array<f16, 2048>; // forward: (MN, MK) = Bᵀ row-major; backward: (MK, MN)
var<workgroup> mc: array<f32, 1024>; // a 16 × 16 result slot per subgroup

// One chunk in registers: 32 values of a (times scale) and 2 groups of 8 of B per invocation.
struct MmChunk { a: array<f32, 32>, b: array<array<f32, 8>, 2> }

fn mm_fetch(k0: u32, s: Span, row0: u32, col0: u32, li: u32, backward: bool) -> MmChunk {
  var ch: MmChunk;
  for (var r = 0u; r < 32u; r++) {
    let e = li + 128u * r;
    let t = row0 + e / MK;
    let k = k0 + e % MK;
    if (t < dims.T && k < s.K) { ch.a[r] = a[t * s.Kall + k] * dims.scale; }
  }
  for (var r = 0u; r < 2u; r++) {
    // group g: forward W[n, k … k + 7] (nn = g / 4), backward W[k, n … n + 7] (kk = g / 8);
    // either way element c of the group goes to mb[8 g + c]
    let g = li + 128u * r;
    let kk = select((g % 4u) * 8u, g / 8u, backward);
    let nn = select(g / 4u, (g % 8u) * 8u, backward);
    ch.b[r] = w_b8(k0 + kk, col0 + nn, s.K, s.N, dims.I, backward);
  }
  return ch;
}

fn mm_put(ch: MmChunk, li: u32) {
  for (var r = 0u; r < 32u; r++) { ma[li + 128u * r] = f16(ch.a[r]); }
  for (var r = 0u; r < 2u; r++) {
    let g = li + 128u * r;
    for (var c = 0u; c < 8u; c++) { mb[8u * g + c] = f16(ch.b[r][c]); }
  }
}

// Right-hand 16 × 16 block at (ks, 16 j) of the staged chunk.
fn mm_right(ks: u32, j: u32, backward: bool) -> subgroup_matrix_right<f16, 16, 16> {
  if (backward) {
    return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&mb, ks * MN + 16u * j, false, MN);
  }
  return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&mb, 16u * j * MK + ks, true, MK);
}

// Result block m of subgroup sg: rows 16 rb, columns 16 cb of its 32 × 64 part, to the output.
fn mm_emit(m: subgroup_matrix_result<f32, 16, 16>, z: u32, s: Span, row0: u32, col0: u32,
           sg: u32, lane: u32, rb: u32, cb: u32) {
  subgroupMatrixStore(&mc, sg * 256u, m, false, 16u);
  workgroupBarrier();
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    put(z, s, row0 + sg * 32u + 16u * rb + e / 16u, col0 + 16u * cb + e % 16u, mc[sg * 256u + e]);
  }
  workgroupBarrier();
}

fn mm_tile(wg: vec3u, li: u32, sg: u32, lane: u32, backward: bool) {
  let s = span(wg.z, backward);
  let row0 = wg.y * MM;
  let col0 = wg.x * MN;
  var c00 = subgroup_matrix_result<f32, 16, 16>();
  var c01 = subgroup_matrix_result<f32, 16, 16>();
  var c02 = subgroup_matrix_result<f32, 16, 16>();
  var c03 = subgroup_matrix_result<f32, 16, 16>();
  var c10 = subgroup_matrix_result<f32, 16, 16>();
  var c11 = subgroup_matrix_result<f32, 16, 16>();
  var c12 = subgroup_matrix_result<f32, 16, 16>();
  var c13 = subgroup_matrix_result<f32, 16, 16>();
  var ch = mm_fetch(s.kb, s, row0, col0, li, backward);
  for (var k0 = s.kb; k0 < s.K; k0 += MK) {
    workgroupBarrier(); // the previous chunk's loads from ma, mb are done
    mm_put(ch, li);
    workgroupBarrier();
    if (k0 + MK < s.K) { ch = mm_fetch(k0 + MK, s, row0, col0, li, backward); }
    for (var ks = 0u; ks < MK; ks += 16u) {
      let a0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&ma, sg * 32u * MK + ks, false, MK);
      let a1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&ma, (sg * 32u + 16u) * MK + ks, false, MK);
      var b = mm_right(ks, 0u, backward);
      c00 = subgroupMatrixMultiplyAccumulate(a0, b, c00);
      c10 = subgroupMatrixMultiplyAccumulate(a1, b, c10);
      b = mm_right(ks, 1u, backward);
      c01 = subgroupMatrixMultiplyAccumulate(a0, b, c01);
      c11 = subgroupMatrixMultiplyAccumulate(a1, b, c11);
      b = mm_right(ks, 2u, backward);
      c02 = subgroupMatrixMultiplyAccumulate(a0, b, c02);
      c12 = subgroupMatrixMultiplyAccumulate(a1, b, c12);
      b = mm_right(ks, 3u, backward);
      c03 = subgroupMatrixMultiplyAccumulate(a0, b, c03);
      c13 = subgroupMatrixMultiplyAccumulate(a1, b, c13);
    }
  }
  mm_emit(c00, wg.z, s, row0, col0, sg, lane, 0u, 0u);
  mm_emit(c01, wg.z, s, row0, col0, sg, lane, 0u, 1u);
  mm_emit(c02, wg.z, s, row0, col0, sg, lane, 0u, 2u);
  mm_emit(c03, wg.z, s, row0, col0, sg, lane, 0u, 3u);
  mm_emit(c10, wg.z, s, row0, col0, sg, lane, 1u, 0u);
  mm_emit(c11, wg.z, s, row0, col0, sg, lane, 1u, 1u);
  mm_emit(c12, wg.z, s, row0, col0, sg, lane, 1u, 2u);
  mm_emit(c13, wg.z, s, row0, col0, sg, lane, 1u, 3u);
}

@compute @workgroup_size(128)
fn linear_forward_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                     @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mm_tile(wg, li, sg, lane, false);
}

@compute @workgroup_size(128)
fn linear_backward_input_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                            @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mm_tile(wg, li, sg, lane, true);
}
