// score_mm_score — shaders/score_mm.wgsl's g scored where it is formed (the score pass of the
// f16 path on subgroup matrices): each 16 × 16 block of g through the subgroup's slot of
// workgroup memory, A = metric(W, g · unscale) (shaders/score.wgsl, the gradient metrics) into
// the set's accumulator as dims.accumulate says, and Σ A, Σ A², max A into the partials of the
// 64 × 64 tiles score.wgsl's tiled kernels use (slot = tile_o · dims.groups_x + tile_i): each of
// this workgroup's GO / 64 × 4 such tiles is two subgroups' rows, reduced by subgroupAdd/Max and
// then the pair. A and acc are bit for bit score_reduce_g's over a stored g; the partials are the same
// sums in another order (f32 rounding apart). Appended after score.wgsl (acc, partials, wbytes,
// dims, metric, w_elem) and score_mm.wgsl.

var<private> st: vec3f; // this invocation's Σ A, Σ A², max A

// The block's 8 values per lane: every weight and old sum read first, then A formed and written
// (a read after a write to acc cannot be moved ahead of it, so one element at a time would wait
// out a memory latency each; read together they wait once).
fn g_emit(m: subgroup_matrix_result<f32, 16, 16>, whole: bool, o: u32, i: u32, sg: u32, lane: u32) {
  subgroupMatrixStore(&gs_c, sg * 256u, m, false, 16u);
  workgroupBarrier();
  let unscale = bitcast<f32>(dims.gunscale);
  var w: array<f32, 8>;
  var old: array<f32, 8>; // 0 where acc is written over (accumulate = 2): 0 + A = A
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let oo = o + e / 16u;
    let ii = i + e % 16u;
    if (oo < dims.O && ii < dims.I) {
      let p = oo * dims.I + ii;
      w[q] = w_elem(p);
      if (dims.accumulate == 1u) { old[q] = acc[p]; }
    }
  }
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let oo = o + e / 16u;
    let ii = i + e % 16u;
    if (oo < dims.O && ii < dims.I) {
      let A = metric(w[q], gs_c[sg * 256u + e] * unscale, 0.0);
      if (dims.accumulate != 0u) { acc[oo * dims.I + ii] = old[q] + A; }
      st = vec3f(st.x + A, st.y + A * A, max(st.z, A));
    }
  }
  workgroupBarrier();
}

fn g_finish(wg: vec3u, sg: u32, lane: u32, li: u32) {
  let s0 = subgroupAdd(st.x);
  let s1 = subgroupAdd(st.y);
  let s2 = subgroupMax(st.z);
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
      let slot = to * dims.groups_x + ti;
      partials[slot * 3u] = gs_c[a] + gs_c[b];
      partials[slot * 3u + 1u] = gs_c[a + 1u] + gs_c[b + 1u];
      partials[slot * 3u + 2u] = max(gs_c[a + 2u], gs_c[b + 2u]);
    }
  }
}
