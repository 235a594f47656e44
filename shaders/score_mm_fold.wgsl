// score_mm_fold — shaders/score_mm.wgsl's g scored where it is formed for each of a batch's gd.n
// samples of one set, and their A summed in registers and folded into the set's accumulator once
// (as dims.accumulate says): the set's sums are read and written once per batch instead of once
// per sample. Per sample, each 16 × 16 block of g goes through the subgroup's slot of workgroup
// memory, A = metric(W, g · unscale) (shaders/score.wgsl, the gradient metrics) is added to this
// lane's `sa` and to the sample's Σ A, Σ A², max A (shaders/score_mm_stats.wgsl). Each A is bit for
// bit score_mm_score.wgsl's; the set's sum adds the batch's A first, then the old sum (the same
// terms in another order: f32 rounding apart). Appended after score.wgsl, score_mm.wgsl and
// score_mm_stats.wgsl.

// Σ A over the samples so far: this lane's 8 values of each of the subgroup's SB blocks (block k
// at rows 16 · (k / NB), columns 16 · (k % NB) of the subgroup's 32 × 16 · NB)
var<private> sa: array<f32, 8u * SB>;

fn g_emit(m: subgroup_matrix_result<f32, 16, 16>, whole: bool, o: u32, i: u32, sg: u32, lane: u32,
          k: u32) {
  subgroupMatrixStore(&gs_c, sg * 256u, m, false, 16u);
  workgroupBarrier();
  let unscale = bitcast<f32>(dims.gunscale);
  var w: array<f32, 8>;
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let oo = o + e / 16u;
    let ii = i + e % 16u;
    if (oo < dims.O && ii < dims.I) { w[q] = w_elem(oo * dims.I + ii); }
  }
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    if (o + e / 16u < dims.O && i + e % 16u < dims.I) {
      let A = metric(w[q], gs_c[sg * 256u + e] * unscale, 0.0);
      sa[k * 8u + q] += A;
      stat_add(A);
    }
  }
  workgroupBarrier();
}

// The batch's Σ A into the set's sums: each block's old sums read before any is written (see
// score_mm_score.wgsl), two blocks at a time.
fn g_finish(wg: vec3u, sg: u32, lane: u32, li: u32) {
  if (dims.accumulate == 0u) { return; }
  let o0 = wg.y * GO + (sg % GR) * 32u;
  let i0 = wg.x * GI + (sg / GR) * 16u * NB;
  for (var k = 0u; k < SB; k += 2u) {
    var old: array<f32, 16>; // 0 where acc is written over (accumulate = 2)
    for (var q = 0u; q < 16u; q++) {
      let e = lane + 32u * (q % 8u);
      let oo = o0 + 16u * ((k + q / 8u) / NB) + e / 16u;
      let ii = i0 + 16u * ((k + q / 8u) % NB) + e % 16u;
      if (dims.accumulate == 1u && oo < dims.O && ii < dims.I) { old[q] = acc[oo * dims.I + ii]; }
    }
    for (var q = 0u; q < 16u; q++) {
      let e = lane + 32u * (q % 8u);
      let oo = o0 + 16u * ((k + q / 8u) / NB) + e / 16u;
      let ii = i0 + 16u * ((k + q / 8u) % NB) + e % 16u;
      if (oo < dims.O && ii < dims.I) { acc[oo * dims.I + ii] = old[q] + sa[k * 8u + q]; }
    }
  }
}
