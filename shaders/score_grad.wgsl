// score_grad — g = dYᵀX for one 64 (o) × 64 (i) tile of shaders/score.wgsl's tiled kernels, in
// f32: a small GEMM over t in chunks of 16 staged in workgroup memory as vec4s (conflict-free
// reads), in t order as score.wgsl's grad_a, each chunk read into registers while the previous
// one is multiplied. Invocation li (256 per workgroup) gets o = 4 ly + y, i = 4 lx + c
// (ly = li / 16, lx = li % 16) as g[4 y + c].

const TS: u32 = 16u; // t per chunk
var<workgroup> dys: array<vec4f, 256>; // (TS, 16 vec4) = dY[t0 + k, o0 .. o0 + 63]
var<workgroup> xs: array<vec4f, 256>;  // (TS, 16 vec4) = X[t0 + k, i0 .. i0 + 63]

// The first row of the sample being read (score_fold_tiled: a batch's sample s at s · fd.stride).
var<private> row_base: u32;

fn load4(second: bool, isx: bool, row: u32, col: u32, n: u32) -> vec4f {
  var v = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    if (col + c < n) {
      let e = (row_base + row) * n + col + c;
      if (isx) {
        if (second) { v[c] = xb[e]; } else { v[c] = xa[e]; }
      } else {
        if (second) { v[c] = dyb[e]; } else { v[c] = dya[e]; }
      }
    }
  }
  return v;
}

// This invocation's vec4 of dY and of X of the chunk at t0 (t0 + li / 16, columns 4 (li % 16) …);
// zero past T.
struct GradChunk { d: vec4f, x: vec4f }

fn grad_fetch(wg: vec3u, li: u32, t0: u32, T: u32, second: bool) -> GradChunk {
  var ch: GradChunk;
  let t = t0 + li / 16u;
  let j = li % 16u;
  if (t < T) {
    ch.d = load4(second, false, t, wg.y * 64u + 4u * j, dims.O);
    ch.x = load4(second, true, t, wg.x * 64u + 4u * j, dims.I);
  }
  return ch;
}

// g (4 o × 4 i of this invocation) for sample a (second = false, T tokens) or b (Tb tokens); the
// next chunk is read into registers while the current one is multiplied.
fn grad_tile(wg: vec3u, li: u32, second: bool) -> array<f32, 16> {
  return grad_tile_of(wg, li, second, select(dims.T, dims.Tb, second));
}

// grad_tile over the first T rows (from row_base on).
fn grad_tile_of(wg: vec3u, li_in: u32, second: bool, T: u32) -> array<f32, 16> {
  // li clamped once and the inner loop bounded by a constant: WGSL's bounds rule then proves the
  // workgroup reads and writes below in range and adds no clamp to them (Tint's range analysis
  // knows min, % and / by constants and constant-bounded loop counters, not a helper's params)
  let li = min(li_in, 255u);
  let ly = li / 16u;
  let lx = li % 16u;
  var g: array<f32, 16>;
  var ch = grad_fetch(wg, li, 0u, T, second);
  for (var t0 = 0u; t0 < T; t0 += TS) {
    workgroupBarrier(); // the previous chunk's reads of dys, xs are done
    dys[li] = ch.d;
    xs[li] = ch.x;
    workgroupBarrier();
    if (t0 + TS < T) { ch = grad_fetch(wg, li, t0 + TS, T, second); }
    let kn = min(TS, T - t0);
    for (var kk = 0u; kk < TS; kk++) {
      if (kk >= kn) { break; }
      let d = dys[kk * 16u + ly];
      let x = xs[kk * 16u + lx];
      for (var y = 0u; y < 4u; y++) {
        for (var c = 0u; c < 4u; c++) {
          g[y * 4u + c] += d[y] * x[c];
        }
      }
    }
  }
  workgroupBarrier(); // a pair's second sample restages only after every read of the first
  return g;
}
