// linear_mm — the f16 path of shaders/linear_f16.wgsl on subgroup matrices (tensor cores;
// feature chromium-experimental-subgroup-matrix with an f16 × f16 → f32, 16 × 16 × 16
// configuration and 32-wide subgroups). Compiled after linear_f16.wgsl (same bindings, Dims,
// span and output); src/gpu/ops/linear.ts prepends the `enable` / `requires` lines and declares
// the tile constants (one entry of its MATRIX_TILES table):
//   SR × SC subgroups per workgroup, each holding FR × FC 16 × 16 result matrices, so a tile of
//   BM = 16·FR·SR rows (tokens) × BN = 16·FC·SC columns; NST = 2 double-buffers the staged chunks;
//   the reduction runs in chunks of BK (32 or 64). Each chunk enters through one decode-to-workgroup-
// memory step: activations rounded to f16, weights decoded 8 along a row at a time (w_b8, every
// weight type) and rounded to f16, each element once per tile. The next chunk is read into
// registers while the tensor cores work on the current one; with NST = 2 it is written into the
// other stage, so one barrier per chunk suffices. Rows are padded by 8 halves (16 bytes) so that
// the rows of a 16 × 16 block fall in different banks. The forward pass's weights are staged as
// (n, k) rows and loaded column-major. The matrix builtins want subgroup-uniform offsets:
// subgroup_id under `requires subgroup_uniformity`.
// The FR × FC result matrices are plain variables c_i_j, and the loops over them unrolled, written
// out by src/gpu/ops/linear.ts at the //@ lines (matrixCode): an array of subgroup matrices
// indexed in a loop ran at a third of the speed on an H100 (bench/results/README.md, session 11).
// Whole tiles whose values need no unscaling (forward, or split-K partials, which
// linear_split_sum unscales) go straight from the result matrices to the output; the others
// through a 16 × 16 slot per subgroup of workgroup memory to the bounds-checked output.

const NSG: u32 = SR * SC;      // subgroups per workgroup
const WGS: u32 = 32u * NSG;    // invocations per workgroup
const BM: u32 = 16u * FR * SR; // output rows (tokens) per tile
const BN: u32 = 16u * FC * SC; // output columns per tile
const AR: u32 = BM * BK / WGS;        // values of a per invocation and chunk
const BR: u32 = BN * BK / (8u * WGS); // groups of 8 of B per invocation and chunk
const PK: u32 = BK + 8u; // row stride of chunks staged as rows of BK (a; forward B as (n, k))
const PN: u32 = BN + 8u; // row stride of the backward B staged as (k, n)
const SA: u32 = BM * PK;                  // halves of a in one stage
const STAGE: u32 = SA + max(BN * PK, BK * PN); // halves of one stage: a, then B

var<workgroup> ms: array<f16, NST * STAGE>;
var<workgroup> mc: array<f32, 256u * NSG>; // a 16 × 16 result slot per subgroup

// One chunk in registers: AR values of a (times scale) and BR groups of 8 of B per invocation.
struct MmChunk { a: array<f32, AR>, b: array<array<f32, 8>, BR> }

fn mm_fetch(k0: u32, s: Span, row0: u32, col0: u32, li: u32, backward: bool) -> MmChunk {
  var ch: MmChunk;
  for (var r = 0u; r < AR; r++) {
    let e = li + WGS * r;
    let t = row0 + e / BK;
    let k = k0 + e % BK;
    if (t < dims.T && k < s.K) { ch.a[r] = a[t * s.Kall + k] * dims.scale; }
  }
  for (var r = 0u; r < BR; r++) {
    // group g: forward W[n, k … k + 7] (nn = g / (BK / 8)), backward W[k, n … n + 7] (kk = g / (BN / 8))
    let g = li + WGS * r;
    let kk = select((g % (BK / 8u)) * 8u, g / (BN / 8u), backward);
    let nn = select(g / (BK / 8u), (g % (BN / 8u)) * 8u, backward);
    ch.b[r] = w_b8(k0 + kk, col0 + nn, s.K, s.N, dims.I, backward);
  }
  return ch;
}

// Writes a chunk into the stage starting at `base` (a (BM, BK) rows, then B).
fn mm_put(ch: MmChunk, base: u32, li: u32, backward: bool) {
  for (var r = 0u; r < AR; r++) {
    let e = li + WGS * r;
    ms[base + (e / BK) * PK + e % BK] = f16(ch.a[r]);
  }
  for (var r = 0u; r < BR; r++) {
    let g = li + WGS * r;
    // forward: row n = g / (BK / 8) at k (g % (BK / 8)) · 8; backward: row k = g / (BN / 8) at n …
    let at = select((g / (BK / 8u)) * PK + (g % (BK / 8u)) * 8u,
                    (g / (BN / 8u)) * PN + (g % (BN / 8u)) * 8u, backward);
    for (var c = 0u; c < 8u; c++) { ms[base + SA + at + c] = f16(ch.b[r][c]); }
  }
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

fn mm_tile(wg: vec3u, li: u32, sg: u32, lane: u32, backward: bool) {
  let s = span(wg.z, backward);
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  let rs = (sg % SR) * 16u * FR; // this subgroup's rows rs … within the tile
  let cs = (sg / SR) * 16u * FC; // and columns cs …
  //@ACC_DECL
  var ch = mm_fetch(s.kb, s, row0, col0, li, backward);
  var stage = 0u;
  if (NST == 2u) {
    mm_put(ch, 0u, li, backward);
    workgroupBarrier();
  }
  for (var k0 = s.kb; k0 < s.K; k0 += BK) {
    let more = k0 + BK < s.K;
    if (NST == 1u) {
      workgroupBarrier(); // the previous chunk's loads from ms are done
      mm_put(ch, 0u, li, backward);
      workgroupBarrier();
    }
    if (more) { ch = mm_fetch(k0 + BK, s, row0, col0, li, backward); }
    let ab = stage * STAGE;
    let bb = ab + SA;
    for (var ks = 0u; ks < BK; ks += 16u) {
      //@MMA
    }
    if (NST == 2u) {
      // the other stage was last read before the previous barrier: fill it, then swap
      if (more) { mm_put(ch, (1u - stage) * STAGE, li, backward); }
      workgroupBarrier();
      stage = 1u - stage;
    }
  }
  let whole = row0 + BM <= dims.T && col0 + BN <= s.N && s.N % 4u == 0u;
  if (whole && (dims.chunk > 0u || dims.scale == 1.0)) {
    let at = wg.z * dims.T * s.N + (row0 + rs) * s.N + col0 + cs;
    //@STORE
    return;
  }
  let r0 = row0 + rs;
  let c0 = col0 + cs;
  //@EMIT
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
