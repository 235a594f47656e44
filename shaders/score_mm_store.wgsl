// score_mm_store — shaders/score_mm.wgsl's g stored: whole tiles straight from the result
// matrices, partial tiles through the subgroup's 16 × 16 slot of workgroup memory, bounds-checked.
// One sample (gd.n = 1). Outputs: g (O, I) overwritten (scaled).

@group(0) @binding(10) var<storage, read_write> g: array<f32>;

// Result block m at (o, i).
fn g_emit(m: subgroup_matrix_result<f32, 16, 16>, whole: bool, o: u32, i: u32, sg: u32, lane: u32,
          k: u32) {
  if (whole) {
    subgroupMatrixStore(&g, o * gd.I + i, m, false, gd.I);
    return;
  }
  subgroupMatrixStore(&gs_c[sg], 0u, m, false, 16u);
  workgroupBarrier();
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let oo = o + e / 16u;
    let ii = i + e % 16u;
    if (oo < gd.O && ii < gd.I) { g[oo * gd.I + ii] = gs_c[sg][e]; }
  }
  workgroupBarrier();
}

fn g_sample(wg: vec3u, sg: u32, lane: u32, li: u32, s: u32) {}
fn g_finish(wg: vec3u, sg: u32, lane: u32, li: u32) {}
