// score_mm_score — shaders/score_mm.wgsl's g scored where it is formed, one sample (gd.n = 1):
// each 16 × 16 block of g through the subgroup's slot of workgroup memory, A = metric(W,
// g · unscale) (shaders/score.wgsl, the gradient metrics) into the set's accumulator as
// dims.accumulate says, Σ A, Σ A², max A into the partials (shaders/score_mm_stats.wgsl). A and acc
// are bit for bit score_reduce_g's over a stored g. Appended after score.wgsl (acc, partials,
// wbytes, dims, metric, w_elem), score_mm.wgsl and score_mm_stats.wgsl.

// The block's 8 values per lane: every weight and old sum read first — before the block goes
// through workgroup memory, so that the loads are in flight across the store and the barrier — then
// A formed and written (a read after a write to acc cannot be moved ahead of it, so one element at
// a time would wait out a memory latency each; read together they wait once). On an H100 this
// order and quant.wgsl's one-load f16 scales took the score from 78.2 to 75.0 ms per sample
// (bench/results/README.md, session 17).
fn g_emit(m: subgroup_matrix_result<f32, 16, 16>, whole: bool, o: u32, i: u32, sg: u32, lane: u32,
          k: u32) {
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
  subgroupMatrixStore(&gs_c[sg], 0u, m, false, 16u);
  workgroupBarrier();
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let oo = o + e / 16u;
    let ii = i + e % 16u;
    if (oo < dims.O && ii < dims.I) {
      let A = metric(w[q], gs_c[sg][e] * unscale, 0.0);
      if (dims.accumulate != 0u) { acc[oo * dims.I + ii] = old[q] + A; }
      stat_add(A);
    }
  }
  workgroupBarrier();
}

fn g_finish(wg: vec3u, sg: u32, lane: u32, li: u32) {}
