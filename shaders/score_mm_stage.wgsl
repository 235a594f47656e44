// score_mm_stage — shaders/score_mm.wgsl's chunk staging from f32 operands (src/gpu/ops/score.ts
// when it does not pack them: options.scoreF16Operands false, or rows not whole groups of 8): each
// invocation loads DN values of dY (times the gradient scale) and XN of X one by one, a chunk ahead
// in registers, and stores them rounded to f16 into the slabs.

@group(0) @binding(11) var<storage, read> dy: array<f32>;
@group(0) @binding(12) var<storage, read> x: array<f32>;

const DN: u32 = GT * GO / GW; // dY values per invocation and chunk
const XN: u32 = GT * GI / GW; // and X values
struct GChunk { d: array<f32, DN>, x: array<f32, XN> }

// Tokens t0 … t0 + GT of a sample of T tokens whose rows start at r0 (0 past T).
fn g_fetch(r0: u32, T: u32, t0: u32, o0: u32, i0: u32, li: u32) -> GChunk {
  var ch: GChunk;
  for (var r = 0u; r < DN; r++) {
    let e = li + GW * r;
    let t = t0 + e / GO;
    let o = o0 + e % GO;
    if (t < T && o < gd.O) { ch.d[r] = dy[(r0 + t) * gd.O + o] * gd.scale; }
  }
  for (var r = 0u; r < XN; r++) {
    let e = li + GW * r;
    let t = t0 + e / GI;
    let i = i0 + e % GI;
    if (t < T && i < gd.I) { ch.x[r] = x[(r0 + t) * gd.I + i]; }
  }
  return ch;
}

fn g_put(ch: GChunk, li: u32) {
  for (var r = 0u; r < DN; r++) {
    let e = li + GW * r;
    let o = e % GO;
    gs_dy[o / 32u][(e / GO) * SO + o % 32u] = f16(ch.d[r]);
  }
  for (var r = 0u; r < XN; r++) {
    let e = li + GW * r;
    let i = e % GI;
    gs_x[i / (16u * NB)][(e / GI) * SI + i % (16u * NB)] = f16(ch.x[r]);
  }
}
