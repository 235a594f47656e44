// score_stage_f16 — staging for the f16 path of shaders/score.wgsl's tiled kernels
// (score_grad_f16.wgsl, score_grad_mm.wgsl): chunks of 32 tokens of dY (times GRAD_SCALE, so
// that small gradients stay normal f16 numbers) and X for one 64 (o) × 64 (i) tile, rounded to
// f16. The scale is divided out of g again (exact: a power of two).

const GRAD_SCALE: f32 = 1024.0; // = F16_GRAD_SCALE in src/gpu/ops/linear.ts
const TS: u32 = 32u;            // tokens per chunk
var<workgroup> sd: array<f16, 2048>; // (TS, 64): dY[t0 + k, o0 + j] · GRAD_SCALE
var<workgroup> sx: array<f16, 2048>; // (TS, 64): X[t0 + k, i0 + j]

fn stage_grad_f16(wg: vec3u, li: u32, t0: u32, T: u32, second: bool) {
  let o0 = wg.y * 64u;
  let i0 = wg.x * 64u;
  for (var r = 0u; r < 8u; r++) {
    let e = li + 256u * r;
    let t = t0 + e / 64u;
    let j = e % 64u;
    var d = 0.0;
    var x = 0.0;
    if (t < T && o0 + j < dims.O) {
      let p = t * dims.O + o0 + j;
      if (second) { d = dyb[p] * GRAD_SCALE; } else { d = dya[p] * GRAD_SCALE; }
    }
    if (t < T && i0 + j < dims.I) {
      let p = t * dims.I + i0 + j;
      if (second) { x = xb[p]; } else { x = xa[p]; }
    }
    sd[e] = f16(d);
    sx[e] = f16(x);
  }
}
