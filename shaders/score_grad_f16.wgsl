// score_grad_f16 — g = dYᵀX for one tile of shaders/score.wgsl's tiled kernels from f16 operands
// (score_stage_f16.wgsl) with f32 multiply-adds; same result layout as score_grad.wgsl.

fn grad_tile(wg: vec3u, li: u32, second: bool) -> array<f32, 16> {
  let lid = vec2u(li % 16u, li / 16u);
  var g: array<f32, 16>;
  let T = select(dims.T, dims.Tb, second);
  for (var t0 = 0u; t0 < T; t0 += TS) {
    grad_put(grad_fetch(wg, li, t0, T, second), li);
    workgroupBarrier();
    for (var k = 0u; k < TS; k++) {
      for (var y = 0u; y < 4u; y++) {
        let d = f32(sd[k * 64u + lid.y * 4u + y]);
        for (var c = 0u; c < 4u; c++) { g[y * 4u + c] += d * f32(sx[k * 64u + lid.x * 4u + c]); }
      }
    }
    workgroupBarrier();
  }
  for (var e = 0u; e < 16u; e++) { g[e] *= 1.0 / GRAD_SCALE; }
  return g;
}
