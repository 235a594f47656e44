// score_mm_fold — shaders/score_mm.wgsl's g scored where it is formed for each of a batch's gd.n
// samples of one set, and their A summed in registers and folded into the set's accumulator once
// (as dims.accumulate says): the set's sums are read and written once per batch instead of once
// per sample. Per sample, each 16 × 16 block of g goes through the subgroup's slot of workgroup
// memory, A = metric(W, g · unscale) (shaders/score.wgsl, the gradient metrics) is added to this
// lane's `sa` and to the sample's Σ A, Σ A², max A (shaders/score_mm_stats.wgsl). A lane takes 8
// consecutive weights of a row of each block (row lane / 2, columns 8 · (lane % 2) …), so that they
// are decoded together — once per batch, at its first sample, and kept in registers (`wd`). Each A
// is bit for bit score_mm_score.wgsl's; the set's sum adds the batch's A first, then the old sum
// (the same terms in another order: f32 rounding apart). Appended after score.wgsl, score_mm.wgsl and score_mm_stats.wgsl.

// Σ A over the samples so far: this lane's 8 values of each of the subgroup's SB blocks (block k
// at rows 16 · (k / NB), columns 16 · (k % NB) of the subgroup's 32 × 16 · NB)
var<private> sa: array<f32, 8u * SB>;

// This lane's 8 weights of each block k, decoded at the batch's first sample and kept (bit `wset`
// k says block k is filled): the later samples decode nothing (on an H100, 43.1 → 38.7 ms per
// sample in a batch of 8 against keeping Q4_0's raw bytes: bench/results/README.md, session 23).
var<private> wd: array<f32, 8u * SB>;
var<private> wset: u32;

// This lane's 8 weights of a block at (o, i): row lane / 2, columns 8 · (lane % 2) … + 7, decoded
// together (w_row8) where the row holds all 8.
fn g_decode8(o: u32, i: u32, lane: u32) -> array<f32, 8> {
  let oo = o + lane / 2u;
  let ii = i + (lane % 2u) * 8u;
  if (oo < dims.O && ii + 8u <= dims.I && dims.I % 8u == 0u) { return w_row8(oo * dims.I + ii); }
  var w: array<f32, 8>;
  for (var q = 0u; q < 8u; q++) {
    if (oo < dims.O && ii + q < dims.I) { w[q] = w_elem(oo * dims.I + ii + q); }
  }
  return w;
}

fn g_weights8(o: u32, i: u32, lane: u32, k: u32) -> array<f32, 8> {
  if ((wset & (1u << k)) == 0u) {
    let d = g_decode8(o, i, lane);
    for (var q = 0u; q < 8u; q++) { wd[k * 8u + q] = d[q]; }
    wset |= 1u << k;
  }
  var w: array<f32, 8>;
  for (var q = 0u; q < 8u; q++) { w[q] = wd[k * 8u + q]; }
  return w;
}

fn g_emit(m: subgroup_matrix_result<f32, 16, 16>, whole: bool, o: u32, i: u32, sg: u32, lane: u32,
          k: u32) {
  subgroupMatrixStore(&gs_c[sg], 0u, m, false, 16u);
  workgroupBarrier();
  let unscale = bitcast<f32>(dims.gunscale);
  let w = g_weights8(o, i, lane, k);
  let r = lane / 2u;
  let c = (lane % 2u) * 8u;
  if (whole && dims.metric == 0u) {
    // a whole tile under |g ⊙ W| (metric 0, the paper's): no bounds checks, no metric switch, and
    // one clamp of the slot offset that the 8 reads' own clamps (WGSL's bounds rule) fold into
    // (H100, 56.7 → 50.0 ms per sample in a batch of 8: bench/results/README.md, session 21), in
    // units of 8 floats, so that the compilers see 32 aligned bytes and read them as two 16-byte
    // pieces (42.7 → 39.3 ms against `min(r · 16 + c, 248)`, session 23)
    let s0 = min((r * 16u + c) >> 3u, 31u) << 3u;
    for (var q = 0u; q < 8u; q++) {
      let A = abs(w[q] * (gs_c[sg][s0 + q] * unscale)); // = metric(w, g · unscale, 0)
      sa[k * 8u + q] += A;
      stat_add(A);
    }
  } else {
    for (var q = 0u; q < 8u; q++) {
      if (o + r < dims.O && i + c + q < dims.I) {
        let A = metric(w[q], gs_c[sg][r * 16u + c + q] * unscale, 0.0);
        sa[k * 8u + q] += A;
        stat_add(A);
      }
    }
  }
  workgroupBarrier();
}

// The batch's Σ A into the set's sums: each block's old sums read before any is written (see
// score_mm_score.wgsl), two blocks at a time.
fn g_finish(wg: vec3u, sg: u32, lane: u32, li: u32) {
  if (dims.accumulate == 0u) { return; }
  let o0 = wg.y * GO + (sg % GR) * 32u + lane / 2u;
  let i0 = wg.x * GI + (sg / GR) * 16u * NB + (lane % 2u) * 8u;
  for (var k = 0u; k < SB; k += 2u) {
    var old: array<f32, 16>; // 0 where acc is written over (accumulate = 2)
    for (var q = 0u; q < 16u; q++) {
      let oo = o0 + 16u * ((k + q / 8u) / NB);
      let ii = i0 + 16u * ((k + q / 8u) % NB) + q % 8u;
      if (dims.accumulate == 1u && oo < dims.O && ii < dims.I) { old[q] = acc[oo * dims.I + ii]; }
    }
    for (var q = 0u; q < 16u; q++) {
      let oo = o0 + 16u * ((k + q / 8u) / NB);
      let ii = i0 + 16u * ((k + q / 8u) % NB) + q % 8u;
      if (oo < dims.O && ii < dims.I) { acc[oo * dims.I + ii] = old[q] + sa[k * 8u + q]; }
    }
  }
}
