// score_grad — g = dYᵀX for one 64 (o) × 64 (i) tile of shaders/score.wgsl's tiled kernels, in
// f32: a small GEMM over t in chunks of 16, each read into registers while the previous one is
// multiplied, staged in workgroup memory as vec4s (conflict-free reads), summed in t order as
// score.wgsl's grad_a. Invocation li of 64 (lx = li % 8, ly = li / 8) gets 8 × 8 parameters:
// o = tile_rc(ly, y), i = tile_rc(lx, x) in the tile, as g[8 y + x].

const TS: u32 = 16u; // t per chunk
var<workgroup> dys: array<vec4f, 256>; // (TS, 16 vec4): dY[t0 + k, o0 + 4 j … 4 j + 3]
var<workgroup> xs: array<vec4f, 256>;  // (TS, 16 vec4): X[t0 + k, i0 + 4 j … 4 j + 3]

fn load4(second: bool, isx: bool, row: u32, col: u32, n: u32) -> vec4f {
  var v = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    if (col + c < n) {
      let e = row * n + col + c;
      if (isx) {
        if (second) { v[c] = xb[e]; } else { v[c] = xa[e]; }
      } else {
        if (second) { v[c] = dyb[e]; } else { v[c] = dya[e]; }
      }
    }
  }
  return v;
}

// This invocation's 4 vec4s of dY and of X of the chunk at t0 (vec4 e = li + 64 r: t0 + e / 16,
// columns 4 (e % 16) …); zero past T.
struct GradChunk { d: array<vec4f, 4>, x: array<vec4f, 4> }

fn grad_fetch(wg: vec3u, li: u32, t0: u32, T: u32, second: bool) -> GradChunk {
  var ch: GradChunk;
  for (var r = 0u; r < 4u; r++) {
    let e = li + 64u * r;
    let t = t0 + e / 16u;
    let j = e % 16u;
    if (t < T) {
      ch.d[r] = load4(second, false, t, wg.y * 64u + 4u * j, dims.O);
      ch.x[r] = load4(second, true, t, wg.x * 64u + 4u * j, dims.I);
    }
  }
  return ch;
}

// g for sample a (second = false, T tokens) or b (Tb tokens).
fn grad_tile(wg: vec3u, li: u32, second: bool) -> array<f32, 64> {
  let lx = li % 8u;
  let ly = li / 8u;
  var g: array<f32, 64>;
  let T = select(dims.T, dims.Tb, second);
  var ch = grad_fetch(wg, li, 0u, T, second);
  for (var t0 = 0u; t0 < T; t0 += TS) {
    workgroupBarrier(); // the previous chunk's reads of dys, xs are done
    for (var r = 0u; r < 4u; r++) {
      dys[li + 64u * r] = ch.d[r];
      xs[li + 64u * r] = ch.x[r];
    }
    workgroupBarrier();
    if (t0 + TS < T) { ch = grad_fetch(wg, li, t0 + TS, T, second); }
    let kn = min(TS, T - t0);
    for (var k = 0u; k < kn; k++) {
      let d0 = dys[k * 16u + ly];
      let d1 = dys[k * 16u + 8u + ly];
      let x0 = xs[k * 16u + lx];
      let x1 = xs[k * 16u + 8u + lx];
      for (var y = 0u; y < 4u; y++) {
        for (var x = 0u; x < 4u; x++) {
          g[y * 8u + x] += d0[y] * x0[x];
          g[y * 8u + 4u + x] += d0[y] * x1[x];
          g[(4u + y) * 8u + x] += d1[y] * x0[x];
          g[(4u + y) * 8u + 4u + x] += d1[y] * x1[x];
        }
      }
    }
  }
  workgroupBarrier(); // a pair's second sample restages only after every read of the first
  return g;
}
