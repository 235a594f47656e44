// score_mm — g = dYᵀX of one matrix for the f16 path's score on subgroup matrices (tensor
// cores): dY times the gradient scale (a power of two, so that small gradients stay normal f16
// numbers) and X rounded to f16, f32 sums, g left scaled.
// Shapes: dY (rows, O), X (rows, I), g (O, I) per sample: gd.n samples (a batch's, `gd.stride`
// rows apart, sample s's first gd.T[s] rows its tokens) one after the other in one workgroup.
// src/gpu/ops/score.ts prepends the `enable` lines and appends what is done with each 16 × 16 block
// of a sample's g (g_emit), after each sample (g_sample) and at the end (g_finish):
//   shaders/score_mm_store.wgsl: g stored (one sample: the f16 check of this GEMM; score.wgsl's
//     score_reduce_g scores a stored g);
//   shaders/score_mm_score.wgsl: g scored on the spot, A into the set's sums per sample (one
//     sample: the engine's score pass, ∂D/∂W never written to memory);
//   shaders/score_mm_fold.wgsl: the same, the samples' A summed in registers and folded into the
//     set's sums once per batch.
// GW / 32 subgroups take a GO (o) × GI (i) tile over all T in chunks of 32 tokens staged as f16,
// the next chunk read into registers meanwhile; subgroup sg holds o rows 32 (sg % GR) …, i columns
// 16 · NB · (sg / GR) … as 2 × NB result matrices (block k = 0 … 2 · NB − 1 at rows 16 · (k / NB),
// columns 16 · (k % NB) of the subgroup's part). Bindings 10–13, so that score.wgsl's (0–9) can sit
// beside them in one module.
// The staged chunk is cut into slabs, one per subgroup row group (dY) and column group (X), and the
// slot of each subgroup is an array of its own, so that every subgroupMatrixLoad/Store has a
// constant offset into a fixed-size array: WGSL's bounds rule (Tint's robustness transform, always
// on in browsers) puts each matrix access whose offset it cannot prove in bounds inside a branch on
// the array's length (shaders/linear_mmvs.wgsl did the same for the linears). On an H200 this took
// the folded score from 58.2 to 43.6 ms per sample in a batch of 8 (bench/results/README.md,
// session 21).
// Twin: matmulBackwardWeight over toF16 operands (src/reference: matmul.ts, linear.ts).

// n samples, stride rows apart, sample s of T[s / 4][s % 4] tokens; its partials pstride floats
// after sample s − 1's
struct GDims { n: u32, O: u32, I: u32, scale: f32, stride: u32, pstride: u32, _a: u32, _b: u32, T: array<vec4u, 2> }

// dY and X (bindings 11, 12), as f32 or packed to f16: shaders/score_mm_stage.wgsl or
// score_mm_stage16.wgsl (appended by src/gpu/ops/score.ts), with g_fetch and g_put
@group(0) @binding(13) var<uniform> gd: GDims;

// GO (o per tile), GI (i per tile), NB (result matrices per subgroup along i: 4 or 2) and GW
// (invocations: GO · GI / (16 · NB)) are declared by src/gpu/ops/score.ts (SCORE_TILES)
const GT: u32 = 32u;   // tokens per chunk
const GR: u32 = GO / 32u; // subgroups down the tile's rows (32 rows each); GI / (16 · NB) across
const SB: u32 = 2u * NB;  // result matrices per subgroup

// row strides padded by 8 halves (16 bytes), so that a block's 8 × 8 quarters read 8 different
// 16-byte bank groups
const SO: u32 = 32u + 8u;       // a dY slab's row stride: the 32 o of one subgroup row group
const SI: u32 = 16u * NB + 8u;  // an X slab's row stride: the 16 · NB i of one subgroup column group
const NCG: u32 = GI / (16u * NB); // subgroup column groups
var<workgroup> gs_dy: array<array<f16, GT * SO>, GR>; // slab g: (GT, 32), dY[t0 + t, o0 + 32 g + o] · scale
var<workgroup> gs_x: array<array<f16, GT * SI>, NCG>; // slab g: (GT, 16 NB), X[t0 + t, i0 + 16 NB g + i]
var<workgroup> gs_c: array<array<f32, 256>, GW / 32u>; // a 16 × 16 slot per subgroup

fn sample_T(s: u32) -> u32 { return gd.T[s / 4u][s % 4u]; }

@compute @workgroup_size(GW)
fn score_grad_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                 @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let o0 = wg.y * GO;
  let i0 = wg.x * GI;
  let ro = (sg % GR) * 32u;
  let ci = (sg / GR) * 16u * NB;
  let gr = sg % GR;
  let gc = sg / GR;
  for (var s = 0u; s < gd.n; s++) {
    let T = sample_T(s);
    let r0 = s * gd.stride;
    var c00 = subgroup_matrix_result<f32, 16, 16>();
    var c01 = subgroup_matrix_result<f32, 16, 16>();
    var c02 = subgroup_matrix_result<f32, 16, 16>();
    var c03 = subgroup_matrix_result<f32, 16, 16>();
    var c10 = subgroup_matrix_result<f32, 16, 16>();
    var c11 = subgroup_matrix_result<f32, 16, 16>();
    var c12 = subgroup_matrix_result<f32, 16, 16>();
    var c13 = subgroup_matrix_result<f32, 16, 16>();
    var ch = g_fetch(r0, T, 0u, o0, i0, li);
    for (var t0 = 0u; t0 < T; t0 += GT) {
      workgroupBarrier(); // the previous chunk's loads are done
      g_put(ch, li);
      workgroupBarrier();
      if (t0 + GT < T) { ch = g_fetch(r0, T, t0 + GT, o0, i0, li); }
      for (var kk = 0u; kk < GT / 16u; kk++) {
        let ks = kk * 16u; // constant once the loop is unrolled
        // left = dYᵀ (o × t): element (o, t) at t · SO + o, i.e. column-major
        let a0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&gs_dy[gr], ks * SO, true, SO);
        let a1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&gs_dy[gr], ks * SO + 16u, true, SO);
        var b = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gs_x[gc], ks * SI, false, SI);
        c00 = subgroupMatrixMultiplyAccumulate(a0, b, c00);
        c10 = subgroupMatrixMultiplyAccumulate(a1, b, c10);
        b = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gs_x[gc], ks * SI + 16u, false, SI);
        c01 = subgroupMatrixMultiplyAccumulate(a0, b, c01);
        c11 = subgroupMatrixMultiplyAccumulate(a1, b, c11);
        if (NB == 4u) {
          b = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gs_x[gc], ks * SI + 32u, false, SI);
          c02 = subgroupMatrixMultiplyAccumulate(a0, b, c02);
          c12 = subgroupMatrixMultiplyAccumulate(a1, b, c12);
          b = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&gs_x[gc], ks * SI + 48u, false, SI);
          c03 = subgroupMatrixMultiplyAccumulate(a0, b, c03);
          c13 = subgroupMatrixMultiplyAccumulate(a1, b, c13);
        }
      }
    }
    let whole = o0 + GO <= gd.O && i0 + GI <= gd.I && gd.I % 4u == 0u;
    let o = o0 + ro;
    let i = i0 + ci;
    g_emit(c00, whole, o, i, sg, lane, 0u);
    g_emit(c01, whole, o, i + 16u, sg, lane, 1u);
    if (NB == 4u) {
      g_emit(c02, whole, o, i + 32u, sg, lane, 2u);
      g_emit(c03, whole, o, i + 48u, sg, lane, 3u);
    }
    g_emit(c10, whole, o + 16u, i, sg, lane, NB);
    g_emit(c11, whole, o + 16u, i + 16u, sg, lane, NB + 1u);
    if (NB == 4u) {
      g_emit(c12, whole, o + 16u, i + 32u, sg, lane, 6u);
      g_emit(c13, whole, o + 16u, i + 48u, sg, lane, 7u);
    }
    g_sample(wg, sg, lane, li, s);
  }
  g_finish(wg, sg, lane, li);
}
