// score_mm_stage16 — shaders/score_mm.wgsl's chunk staging from operands packed to f16 in storage
// (src/gpu/ops/score.ts packOperands: dY already times the gradient scale; rows of whole groups of
// 8 halves, so every group of 8 is 16 aligned bytes): each invocation moves groups of 8
// consecutive values — one 16-byte load a chunk ahead in registers, then 8 stores into the slab at
// an offset clamped in units of 8 (WGSL's bounds rule proves them in range, and the compilers see
// a multiple of 16 bytes and can merge them) — where one value per load and store was moved before.

@group(0) @binding(11) var<storage, read> dy: array<vec4u>;
@group(0) @binding(12) var<storage, read> x: array<vec4u>;

const DV: u32 = GT * GO / (8u * GW); // groups of 8 dY values per invocation and chunk
const XV: u32 = GT * GI / (8u * GW); // and of X
struct GChunk { d: array<vec4u, DV>, x: array<vec4u, XV> }

// Tokens t0 … t0 + GT of a sample of T tokens whose rows start at r0 (0 past T); group e of the
// chunk's dY is token e / (GO / 8), values 8 · (e % (GO / 8)) … + 7 of the tile's o (X alike).
fn g_fetch(r0: u32, T: u32, t0: u32, o0: u32, i0: u32, li: u32) -> GChunk {
  var ch: GChunk;
  for (var r = 0u; r < DV; r++) {
    let e = li + GW * r;
    let t = t0 + e / (GO / 8u);
    let o = o0 + 8u * (e % (GO / 8u));
    if (t < T && o < gd.O) { ch.d[r] = dy[((r0 + t) * gd.O + o) / 8u]; }
  }
  for (var r = 0u; r < XV; r++) {
    let e = li + GW * r;
    let t = t0 + e / (GI / 8u);
    let i = i0 + 8u * (e % (GI / 8u));
    if (t < T && i < gd.I) { ch.x[r] = x[((r0 + t) * gd.I + i) / 8u]; }
  }
  return ch;
}

fn g_put(ch: GChunk, li: u32) {
  for (var r = 0u; r < DV; r++) {
    let e = li + GW * r;
    let o = 8u * (e % (GO / 8u));
    let at = min((((e / (GO / 8u)) * SO + o % 32u) >> 3u), GT * SO / 8u - 1u) << 3u;
    for (var q = 0u; q < 4u; q++) {
      let h = bitcast<vec2<f16>>(ch.d[r][q]);
      gs_dy[o / 32u][at + 2u * q] = h.x;
      gs_dy[o / 32u][at + 2u * q + 1u] = h.y;
    }
  }
  for (var r = 0u; r < XV; r++) {
    let e = li + GW * r;
    let i = 8u * (e % (GI / 8u));
    let at = min((((e / (GI / 8u)) * SI + i % (16u * NB)) >> 3u), GT * SI / 8u - 1u) << 3u;
    for (var q = 0u; q < 4u; q++) {
      let h = bitcast<vec2<f16>>(ch.x[r][q]);
      gs_x[i / (16u * NB)][at + 2u * q] = h.x;
      gs_x[i / (16u * NB)][at + 2u * q + 1u] = h.y;
    }
  }
}
