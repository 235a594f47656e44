// score_mm_stats — the per-sample statistics of shaders/score_mm.wgsl's scoring epilogues
// (score_mm_score.wgsl, score_mm_fold.wgsl, appended after this): each invocation's Σ A, Σ A²,
// max A over its elements of one sample's tile (`st`, added to by g_emit), reduced by
// subgroupAdd/Max and then two subgroups at a time into the partials of the 64 × 64 tiles
// score.wgsl's tiled kernels use (slot = tile_o · dims.groups_x + tile_i; sample s's partials
// gd.pstride floats after sample s − 1's). Each of this workgroup's GO / 64 × 4 such tiles is two
// subgroups' rows. The partials are score_reduce_g's sums in another order (f32 rounding apart).

var<private> st: vec3f; // this invocation's Σ A, Σ A², max A over the current sample

fn stat_add(A: f32) { st = vec3f(st.x + A, st.y + A * A, max(st.z, A)); }

fn g_sample(wg: vec3u, sg: u32, lane: u32, li: u32, s: u32) {
  let s0 = subgroupAdd(st.x);
  let s1 = subgroupAdd(st.y);
  let s2 = subgroupMax(st.z);
  st = vec3f(0.0);
  if (lane == 0u) {
    gs_c[sg * 3u] = s0;
    gs_c[sg * 3u + 1u] = s1;
    gs_c[sg * 3u + 2u] = s2;
  }
  workgroupBarrier();
  if (li < 4u * GO / 64u) {
    let h = li / 4u; // the 64-row part and 64-column quarter of this workgroup's tile
    let c = li % 4u;
    let a = (c * GR + 2u * h) * 3u; // its two subgroups' triples
    let b = a + 3u;
    let to = wg.y * (GO / 64u) + h;
    let ti = wg.x * 4u + c;
    if (to * 64u < dims.O && ti * 64u < dims.I) {
      let slot = s * gd.pstride + (to * dims.groups_x + ti) * 3u;
      partials[slot] = gs_c[a] + gs_c[b];
      partials[slot + 1u] = gs_c[a + 1u] + gs_c[b + 1u];
      partials[slot + 2u] = max(gs_c[a + 2u], gs_c[b + 2u]);
    }
  }
  workgroupBarrier(); // gs_c is the next block's slot again
}
