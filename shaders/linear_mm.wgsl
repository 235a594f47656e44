// linear_mm — shaders/linear_f16.wgsl's tiles multiplied with subgroup matrices (tensor cores;
// feature chromium-experimental-subgroup-matrix with an f16 × f16 → f32, 16 × 16 × 16
// configuration and 32-wide subgroups). Compiled after linear_f16.wgsl (same bindings, staging
// and output); src/gpu/ops/linear.ts prepends the `enable` lines.
// The 4 subgroups of a workgroup each take a 32 × 32 quarter of the 64 × 64 tile as 2 × 2
// result matrices; they go through workgroup memory to the bounds-checked output.

var<workgroup> sc: array<f32, 4096>; // the tile's results (FM, FN), row-major

fn mm_tile(wg: vec3u, li: u32, backward: bool) {
  let s = span(wg.z, backward);
  let row0 = wg.y * FM;
  let col0 = wg.x * FN;
  let sg = li / 32u;
  let r0 = (sg / 2u) * 32u;
  let c0 = (sg % 2u) * 32u;
  var c00 = subgroup_matrix_result<f32, 16, 16>();
  var c01 = subgroup_matrix_result<f32, 16, 16>();
  var c10 = subgroup_matrix_result<f32, 16, 16>();
  var c11 = subgroup_matrix_result<f32, 16, 16>();
  for (var k0 = s.kb; k0 < s.K; k0 += FK) {
    stage_f16(k0, s, row0, col0, li, backward);
    workgroupBarrier();
    for (var ks = 0u; ks < FK; ks += 16u) {
      let a0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&sa, r0 * FK + ks, false, FK);
      let a1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&sa, (r0 + 16u) * FK + ks, false, FK);
      let b0 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sb, ks * FN + c0, false, FN);
      let b1 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sb, ks * FN + c0 + 16u, false, FN);
      c00 = subgroupMatrixMultiplyAccumulate(a0, b0, c00);
      c01 = subgroupMatrixMultiplyAccumulate(a0, b1, c01);
      c10 = subgroupMatrixMultiplyAccumulate(a1, b0, c10);
      c11 = subgroupMatrixMultiplyAccumulate(a1, b1, c11);
    }
    workgroupBarrier();
  }
  subgroupMatrixStore(&sc, r0 * FN + c0, c00, false, FN);
  subgroupMatrixStore(&sc, r0 * FN + c0 + 16u, c01, false, FN);
  subgroupMatrixStore(&sc, (r0 + 16u) * FN + c0, c10, false, FN);
  subgroupMatrixStore(&sc, (r0 + 16u) * FN + c0 + 16u, c11, false, FN);
  workgroupBarrier();
  for (var r = 0u; r < 32u; r++) {
    let e = li + 128u * r;
    put(wg.z, s, row0 + e / FN, col0 + e % FN, sc[e]);
  }
}

@compute @workgroup_size(128)
fn linear_forward_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  mm_tile(wg, li, false);
}

@compute @workgroup_size(128)
fn linear_backward_input_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  mm_tile(wg, li, true);
}
