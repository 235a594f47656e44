// linear_mm — the f16 path of shaders/linear_f16.wgsl on subgroup matrices (tensor cores;
// feature chromium-experimental-subgroup-matrix with an f16 × f16 → f32, 16 × 16 × 16
// configuration and 32-wide subgroups). Compiled after linear_f16.wgsl (same bindings, Dims,
// span and output); src/gpu/ops/linear.ts prepends the `enable` / `requires` lines and declares NSG.
// NSG subgroups take a 128 × (16 · NSG) output tile (all of T = 128 tokens: each weight is
// decoded once per 128 tokens), as 4 row blocks of 32 × NSG / 4 column blocks of 64; each
// subgroup holds its 32 × 64 block as 2 × 4 result matrices. The reduction runs in chunks of
// 32: the next chunk is read into registers (weights decoded 8 along a row at a time) while the
// tensor cores work on the current one, staged as f16 in workgroup memory — the forward pass's
// weights as (n, k) rows, loaded column-major; rows padded against bank conflicts. The matrix
// builtins want subgroup-uniform offsets: subgroup_id under `requires subgroup_uniformity`.
// Whole tiles whose values need no unscaling (forward, or split-K partials, which
// linear_split_sum unscales) go straight from the result matrices to the output; the others
// through a 16 × 16 slot per subgroup of workgroup memory to the bounds-checked output.

// NSG: subgroups per workgroup, 4, 8 or 16 (declared by src/gpu/ops/linear.ts)
const WGS: u32 = 32u * NSG; // invocations per workgroup
const MM: u32 = 128u;       // output rows (tokens) per tile
const MN: u32 = 16u * NSG;  // output columns per tile
const MK: u32 = 32u;        // reduction chunk
const AR: u32 = MM * MK / WGS;       // values of a per invocation and chunk
const BR: u32 = MN * MK / (8u * WGS); // groups of 8 of B per invocation and chunk
// Row strides of the staged chunks, padded by 8 halves (16 bytes) so that the rows of a 16 × 16
// block fall in different banks (unpadded, 64- and 512-byte strides put them in the same ones).
const PK: u32 = MK + 8u; // rows of MK (a; forward B as (n, k))
const PN: u32 = MN + 8u; // rows of MN (backward B as (k, n))

var<workgroup> ma: array<f16, MM * PK>; // (MM, MK), row-major, stride PK
var<workgroup> mb: array<f16, max(MN * PK, MK * PN)>; // forward: (MN, MK) = Bᵀ; backward: (MK, MN)
var<workgroup> mc: array<f32, 256u * NSG>; // a 16 × 16 result slot per subgroup

// One chunk in registers: AR values of a (times scale) and BR groups of 8 of B per invocation.
struct MmChunk { a: array<f32, AR>, b: array<array<f32, 8>, BR> }

fn mm_fetch(k0: u32, s: Span, row0: u32, col0: u32, li: u32, backward: bool) -> MmChunk {
  var ch: MmChunk;
  for (var r = 0u; r < AR; r++) {
    let e = li + WGS * r;
    let t = row0 + e / MK;
    let k = k0 + e % MK;
    if (t < dims.T && k < s.K) { ch.a[r] = a[t * s.Kall + k] * dims.scale; }
  }
  for (var r = 0u; r < BR; r++) {
    // group g: forward W[n, k … k + 7] (nn = g / 4), backward W[k, n … n + 7] (kk = g / (MN / 8))
    let g = li + WGS * r;
    let kk = select((g % 4u) * 8u, g / (MN / 8u), backward);
    let nn = select(g / 4u, (g % (MN / 8u)) * 8u, backward);
    ch.b[r] = w_b8(k0 + kk, col0 + nn, s.K, s.N, dims.I, backward);
  }
  return ch;
}

fn mm_put(ch: MmChunk, li: u32, backward: bool) {
  for (var r = 0u; r < AR; r++) {
    let e = li + WGS * r;
    ma[(e / MK) * PK + e % MK] = f16(ch.a[r]);
  }
  for (var r = 0u; r < BR; r++) {
    let g = li + WGS * r;
    // forward: row n = g / 4 at k (g % 4) · 8; backward: row k = g / (MN / 8) at n (g % (MN / 8)) · 8
    let at = select((g / 4u) * PK + (g % 4u) * 8u, (g / (MN / 8u)) * PN + (g % (MN / 8u)) * 8u, backward);
    for (var c = 0u; c < 8u; c++) { mb[at + c] = f16(ch.b[r][c]); }
  }
}

// Right-hand 16 × 16 block at (ks, column c) of the staged chunk.
fn mm_right(ks: u32, c: u32, backward: bool) -> subgroup_matrix_right<f16, 16, 16> {
  if (backward) {
    return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&mb, ks * PN + c, false, PN);
  }
  return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&mb, c * PK + ks, true, PK);
}

// Result block at (rows r, columns c) of the tile, through this subgroup's slot to the output.
fn mm_emit(m: subgroup_matrix_result<f32, 16, 16>, z: u32, s: Span, r: u32, c: u32, sg: u32, lane: u32) {
  subgroupMatrixStore(&mc, sg * 256u, m, false, 16u);
  workgroupBarrier();
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    put(z, s, r + e / 16u, c + e % 16u, mc[sg * 256u + e]);
  }
  workgroupBarrier();
}

// Result block at (rows r, columns c), inside the output, straight from the matrix (raw sums).
fn mm_store(m: subgroup_matrix_result<f32, 16, 16>, z: u32, s: Span, r: u32, c: u32) {
  subgroupMatrixStore(&out, z * dims.T * s.N + r * s.N + c, m, false, s.N);
}

fn mm_tile(wg: vec3u, li: u32, sg: u32, lane: u32, backward: bool) {
  let s = span(wg.z, backward);
  let row0 = wg.y * MM;
  let col0 = wg.x * MN;
  let rs = row0 + (sg % 4u) * 32u;     // this subgroup's rows rs … rs + 31
  let cs = (sg / 4u) * 64u;           // and columns col0 + cs … + 63
  var c00 = subgroup_matrix_result<f32, 16, 16>();
  var c01 = subgroup_matrix_result<f32, 16, 16>();
  var c02 = subgroup_matrix_result<f32, 16, 16>();
  var c03 = subgroup_matrix_result<f32, 16, 16>();
  var c10 = subgroup_matrix_result<f32, 16, 16>();
  var c11 = subgroup_matrix_result<f32, 16, 16>();
  var c12 = subgroup_matrix_result<f32, 16, 16>();
  var c13 = subgroup_matrix_result<f32, 16, 16>();
  let ao = (sg % 4u) * 32u * PK;
  var ch = mm_fetch(s.kb, s, row0, col0, li, backward);
  for (var k0 = s.kb; k0 < s.K; k0 += MK) {
    workgroupBarrier(); // the previous chunk's loads from ma, mb are done
    mm_put(ch, li, backward);
    workgroupBarrier();
    if (k0 + MK < s.K) { ch = mm_fetch(k0 + MK, s, row0, col0, li, backward); }
    for (var ks = 0u; ks < MK; ks += 16u) {
      let a0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&ma, ao + ks, false, PK);
      let a1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&ma, ao + 16u * PK + ks, false, PK);
      var b = mm_right(ks, cs, backward);
      c00 = subgroupMatrixMultiplyAccumulate(a0, b, c00);
      c10 = subgroupMatrixMultiplyAccumulate(a1, b, c10);
      b = mm_right(ks, cs + 16u, backward);
      c01 = subgroupMatrixMultiplyAccumulate(a0, b, c01);
      c11 = subgroupMatrixMultiplyAccumulate(a1, b, c11);
      b = mm_right(ks, cs + 32u, backward);
      c02 = subgroupMatrixMultiplyAccumulate(a0, b, c02);
      c12 = subgroupMatrixMultiplyAccumulate(a1, b, c12);
      b = mm_right(ks, cs + 48u, backward);
      c03 = subgroupMatrixMultiplyAccumulate(a0, b, c03);
      c13 = subgroupMatrixMultiplyAccumulate(a1, b, c13);
    }
  }
  let c = col0 + cs;
  let whole = row0 + MM <= dims.T && col0 + MN <= s.N && s.N % 4u == 0u;
  if (whole && (dims.chunk > 0u || dims.scale == 1.0)) {
    mm_store(c00, wg.z, s, rs, c);
    mm_store(c01, wg.z, s, rs, c + 16u);
    mm_store(c02, wg.z, s, rs, c + 32u);
    mm_store(c03, wg.z, s, rs, c + 48u);
    mm_store(c10, wg.z, s, rs + 16u, c);
    mm_store(c11, wg.z, s, rs + 16u, c + 16u);
    mm_store(c12, wg.z, s, rs + 16u, c + 32u);
    mm_store(c13, wg.z, s, rs + 16u, c + 48u);
    return;
  }
  mm_emit(c00, wg.z, s, rs, c, sg, lane);
  mm_emit(c01, wg.z, s, rs, c + 16u, sg, lane);
  mm_emit(c02, wg.z, s, rs, c + 32u, sg, lane);
  mm_emit(c03, wg.z, s, rs, c + 48u, sg, lane);
  mm_emit(c10, wg.z, s, rs + 16u, c, sg, lane);
  mm_emit(c11, wg.z, s, rs + 16u, c + 16u, sg, lane);
  mm_emit(c12, wg.z, s, rs + 16u, c + 32u, sg, lane);
  mm_emit(c13, wg.z, s, rs + 16u, c + 48u, sg, lane);
}

@compute @workgroup_size(WGS)
fn linear_forward_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                     @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mm_tile(wg, li, sg, lane, false);
}

@compute @workgroup_size(WGS)
fn linear_backward_input_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                            @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mm_tile(wg, li, sg, lane, true);
}
