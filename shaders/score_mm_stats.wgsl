// score_mm_stats — the per-sample statistics of shaders/score_mm.wgsl's scoring epilogues
// (score_mm_score.wgsl, score_mm_fold.wgsl, appended after this): each invocation's Σ A, Σ A²,
// max A over its elements of one sample's tile (`st`, added to by g_emit), reduced by
// subgroupAdd/Max and then, in a fixed order, the subgroups of each 64 × 64 tile score.wgsl's
// tiled kernels use into its partials (slot = tile_o · dims.groups_x + tile_i; sample s's partials
// gd.pstride floats after sample s − 1's). This workgroup holds GO / 64 × GI / 64 such tiles, each
// the rows of two subgroups times 64 / (16 · NB) subgroup columns. The partials are
// score_reduce_g's sums in another order (f32 rounding apart).

var<private> st: vec3f; // this invocation's Σ A, Σ A², max A over the current sample

fn stat_add(A: f32) { st = vec3f(st.x + A, st.y + A * A, max(st.z, A)); }

fn g_sample(wg: vec3u, sg: u32, lane: u32, li: u32, s: u32) {
  let s0 = subgroupAdd(st.x);
  let s1 = subgroupAdd(st.y);
  let s2 = subgroupMax(st.z);
  st = vec3f(0.0);
  if (lane == 0u) {
    gs_c[sg][0] = s0;
    gs_c[sg][1] = s1;
    gs_c[sg][2] = s2;
  }
  workgroupBarrier();
  if (li < (GO / 64u) * (GI / 64u)) {
    let h = li % (GO / 64u); // the 64-row part and 64-column part of this workgroup's tile
    let c = li / (GO / 64u);
    let to = wg.y * (GO / 64u) + h;
    let ti = wg.x * (GI / 64u) + c;
    if (to * 64u < dims.O && ti * 64u < dims.I) {
      var p = vec3f(0.0);
      for (var j = 0u; j < 64u / (16u * NB); j++) {
        for (var r = 0u; r < 2u; r++) {
          let a = (c * 64u / (16u * NB) + j) * GR + 2u * h + r; // a subgroup's triple
          p = vec3f(p.x + gs_c[a][0], p.y + gs_c[a][1], max(p.z, gs_c[a][2]));
        }
      }
      let slot = s * gd.pstride + (to * dims.groups_x + ti) * 3u;
      partials[slot] = p.x;
      partials[slot + 1u] = p.y;
      partials[slot + 2u] = p.z;
    }
  }
  workgroupBarrier(); // gs_c is the next block's slot again
}
