// score_mm — the f16 path of shaders/score.wgsl's tiled kernels on subgroup matrices (f16
// 16 × 16 × 16 → f32, 32-wide subgroups): g = dYᵀX of the 64 (o) × 64 (i) tile from the f16
// stage of score_stage_f16.wgsl, each of the 8 subgroups one 16 (o) × 32 (i) strip as two
// result matrices (dYᵀ loaded column-major from the (t, o) stage), through workgroup memory into
// score.wgsl's epilogues (same tiles, partial slots and per-invocation layout). The matrix
// builtins want subgroup-uniform offsets: subgroup_id under `requires subgroup_uniformity`.
// Compiled after score.wgsl, score_stage_f16.wgsl and score_grad_f16.wgsl; src/gpu/ops/score.ts
// prepends the `enable` / `requires` lines.

var<workgroup> gs: array<f32, 4096>; // (64 o, 64 i): g · GRAD_SCALE

fn grad_tile_mm(wg: vec3u, li: u32, sg: u32, second: bool) -> array<f32, 16> {
  let T = select(dims.T, dims.Tb, second);
  let bo = (sg / 2u) * 16u;
  let bi = (sg % 2u) * 32u;
  var c0 = subgroup_matrix_result<f32, 16, 16>();
  var c1 = subgroup_matrix_result<f32, 16, 16>();
  var ch = grad_fetch(wg, li, 0u, T, second);
  for (var t0 = 0u; t0 < T; t0 += TS) {
    workgroupBarrier(); // the previous chunk's loads from sd, sx are done
    grad_put(ch, li);
    workgroupBarrier();
    if (t0 + TS < T) { ch = grad_fetch(wg, li, t0 + TS, T, second); }
    for (var ks = 0u; ks < TS; ks += 16u) {
      let l = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&sd, ks * 64u + bo, true, 64u);
      let r0 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sx, ks * 64u + bi, false, 64u);
      let r1 = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&sx, ks * 64u + bi + 16u, false, 64u);
      c0 = subgroupMatrixMultiplyAccumulate(l, r0, c0);
      c1 = subgroupMatrixMultiplyAccumulate(l, r1, c1);
    }
  }
  workgroupBarrier();
  subgroupMatrixStore(&gs, bo * 64u + bi, c0, false, 64u);
  subgroupMatrixStore(&gs, bo * 64u + bi + 16u, c1, false, 64u);
  workgroupBarrier();
  let lid = vec2u(li % 16u, li / 16u);
  var g: array<f32, 16>;
  for (var y = 0u; y < 4u; y++) {
    for (var c = 0u; c < 4u; c++) {
      g[y * 4u + c] = gs[(lid.y * 4u + y) * 64u + lid.x * 4u + c] * (1.0 / GRAD_SCALE);
    }
  }
  workgroupBarrier(); // gs is written again by a pair's second sample
  return g;
}

@compute @workgroup_size(256)
fn score_reduce_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                   @builtin(subgroup_id) sg: u32) {
  var g: array<f32, 16>;
  if (needs_grad()) { g = grad_tile_mm(wg, li, sg, false); }
  reduce_tile(wg, li, g);
}

@compute @workgroup_size(256)
fn score_pair_mm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                 @builtin(subgroup_id) sg: u32) {
  var ga: array<f32, 16>;
  var gb: array<f32, 16>;
  if (needs_grad()) {
    ga = grad_tile_mm(wg, li, sg, false);
    gb = grad_tile_mm(wg, li, sg, true);
  }
  pair_tile(wg, li, ga, gb);
}
