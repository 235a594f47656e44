// score_stage_f16 — staging for the f16 path of shaders/score.wgsl's tiled kernels
// (score_grad_f16.wgsl, score_mm.wgsl): chunks of 32 tokens of dY (times GRAD_SCALE, so that
// small gradients stay normal f16 numbers) and X for one 64 (o) × 64 (i) tile, rounded to f16.
// The scale is divided out of g again (exact: a power of two). A chunk is first read into
// registers (grad_fetch), so that the next chunk's loads can be in flight while the current
// one is multiplied, then stored (grad_put).

const GRAD_SCALE: f32 = 1024.0; // = F16_GRAD_SCALE in src/gpu/ops/linear.ts
const TS: u32 = 32u;            // tokens per chunk
var<workgroup> sd: array<f16, 2048>; // (TS, 64): dY[t0 + k, o0 + j] · GRAD_SCALE
var<workgroup> sx: array<f16, 2048>; // (TS, 64): X[t0 + k, i0 + j]

// This invocation's 8 values of dY and of X of the chunk at t0: element e = li + 256 r.
struct GradChunk { d: array<f32, 8>, x: array<f32, 8> }

fn grad_fetch(wg: vec3u, li: u32, t0: u32, T: u32, second: bool) -> GradChunk {
  var ch: GradChunk;
  let o0 = wg.y * 64u;
  let i0 = wg.x * 64u;
  for (var r = 0u; r < 8u; r++) {
    let e = li + 256u * r;
    let t = t0 + e / 64u;
    let j = e % 64u;
    if (t < T && o0 + j < dims.O) {
      let p = t * dims.O + o0 + j;
      if (second) { ch.d[r] = dyb[p]; } else { ch.d[r] = dya[p]; }
    }
    if (t < T && i0 + j < dims.I) {
      let p = t * dims.I + i0 + j;
      if (second) { ch.x[r] = xb[p]; } else { ch.x[r] = xa[p]; }
    }
  }
  return ch;
}

fn grad_put(ch: GradChunk, li: u32) {
  for (var r = 0u; r < 8u; r++) {
    sd[li + 256u * r] = f16(ch.d[r] * GRAD_SCALE);
    sx[li + 256u * r] = f16(ch.x[r]);
  }
}
