// score_grad_mm — g = dYᵀX for one tile of shaders/score.wgsl's tiled kernels from f16 operands
// (score_stage_f16.wgsl) on subgroup matrices (f16 16 × 16 × 16 → f32, 32-wide subgroups): the 8
// subgroups each take one 16 (o) × 32 (i) strip as two result matrices, dYᵀ loaded column-major
// from the (t, o) stage. Results go through workgroup memory into score_grad.wgsl's layout.

var<workgroup> gs: array<f32, 4096>; // (64 o, 64 i)

fn grad_tile(wg: vec3u, li: u32, second: bool) -> array<f32, 16> {
  let lid = vec2u(li % 16u, li / 16u);
  let T = select(dims.T, dims.Tb, second);
  let sg = li / 32u;
  let bo = (sg / 2u) * 16u;
  let bi = (sg % 2u) * 32u;
  var c0 = subgroup_matrix_result<f32, 16, 16>();
  var c1 = subgroup_matrix_result<f32, 16, 16>();
  for (var t0 = 0u; t0 < T; t0 += TS) {
    stage_grad_f16(wg, li, t0, T, second);
    workgroupBarrier();
    for (var ks = 0u; ks < TS; ks += 16u) {
      let l = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&sd, ks * 64u + bo, true, 64u);
      let r0 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sx, ks * 64u + bi, false, 64u);
      let r1 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sx, ks * 64u + bi + 16u, false, 64u);
      c0 = subgroupMatrixMultiplyAccumulate(l, r0, c0);
      c1 = subgroupMatrixMultiplyAccumulate(l, r1, c1);
    }
    workgroupBarrier();
  }
  subgroupMatrixStore(&gs, bo * 64u + bi, c0, false, 64u);
  subgroupMatrixStore(&gs, bo * 64u + bi + 16u, c1, false, 64u);
  workgroupBarrier();
  var g: array<f32, 16>;
  for (var y = 0u; y < 4u; y++) {
    for (var c = 0u; c < 4u; c++) {
      g[y * 4u + c] = gs[(lid.y * 4u + y) * 64u + lid.x * 4u + c] * (1.0 / GRAD_SCALE);
    }
  }
  workgroupBarrier(); // gs is written again by a pair's second sample
  return g;
}
