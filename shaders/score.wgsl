// score — the per-parameter metric A of one matrix W (O, I) and its reductions, formed on the
// spot from the layer's dY (T, O) and X (T, I): g = Σ_t dY[t, o] · X[t, i] (= ∂D/∂W), then
// A = |W ⊙ g| (metric 0), |g| (1), |W|·‖X_i‖₂ (2, Wanda), |W| (3). Nothing (O, I)-sized is kept
// except the set's running sum `acc`.
// score_reduce: acc[p] += A (accumulate = 1) or acc[p] = A (2: a set's first sample of a layer, so
//   that nothing clears acc first) and per-workgroup partials (Σ A, Σ A², max A).
// score_pair: two samples a (T tokens) and b (Tb tokens) → per-workgroup partials (Σ |A_a · A_b|, Σ A_a², Σ A_b²) for LLMDcos.
// Work split (score_reduce, score_pair: software adapters): one invocation per parameter
//   p = o·I + i, 256-wide workgroups on a 2-D grid (x fastest); the *_tiled kernels below (real
//   GPUs) take 64 × 64 tiles. Partials are reduced by a fixed-order tree: deterministic.
// score_reduce_g (the f16 path on subgroup matrices): the tiled epilogue over g = dYᵀX already
//   formed by shaders/score_mm.wgsl (scaled; times the f32 with bits dims.gunscale), bound in
//   place of dY.
// Outputs: partials overwritten; acc ACCUMULATED (or written: accumulate = 2).

struct Dims { T: u32, I: u32, O: u32, metric: u32, accumulate: u32, groups_x: u32, Tb: u32, gunscale: u32 }

@group(0) @binding(0) var<storage, read_write> acc: array<f32>;      // (O, I) set sum of A
@group(0) @binding(1) var<storage, read_write> partials: array<f32>; // (workgroups, 3)
@group(0) @binding(2) var<storage, read> dya: array<f32>;            // (T, O)
@group(0) @binding(3) var<storage, read> xa: array<f32>;             // (T, I)
@group(0) @binding(4) var<storage, read> wbytes: array<u32>;         // W (O, I)
@group(0) @binding(5) var<storage, read> xna: array<f32>;            // (I) ‖X_i‖₂ (metric 2)
@group(0) @binding(6) var<uniform> dims: Dims;
@group(0) @binding(7) var<storage, read> dyb: array<f32>;            // pair: sample b
@group(0) @binding(8) var<storage, read> xb: array<f32>;
@group(0) @binding(9) var<storage, read> xnb: array<f32>;

var<workgroup> r0: array<f32, 256>;
var<workgroup> r1: array<f32, 256>;
var<workgroup> r2: array<f32, 256>;


fn grad_a(o: u32, i: u32) -> f32 {
  var g = 0.0;
  for (var t = 0u; t < dims.T; t++) { g += dya[t * dims.O + o] * xa[t * dims.I + i]; }
  return g;
}

fn grad_b(o: u32, i: u32) -> f32 {
  var g = 0.0;
  for (var t = 0u; t < dims.Tb; t++) { g += dyb[t * dims.O + o] * xb[t * dims.I + i]; }
  return g;
}

fn metric(w: f32, g: f32, xn: f32) -> f32 {
  switch (dims.metric) {
    case 0u: { return abs(w * g); }
    case 1u: { return abs(g); }
    case 2u: { return abs(w) * xn; }
    default: { return abs(w); }
  }
}

// GRAD_METRICS: a bit per metric case that reads ∂D/∂W, declared by src/gpu/ops/score.ts from
// the metric table (src/analysis/metrics.ts GRAD_METRIC_MASK)
fn needs_grad() -> bool { return ((GRAD_METRICS >> dims.metric) & 1u) == 1u; }
// NORM_METRICS: likewise, the cases that read the input norms ‖X_i‖₂ (xna, xnb)
fn needs_norms() -> bool { return ((NORM_METRICS >> dims.metric) & 1u) == 1u; }

// A into the set's accumulator as dims.accumulate says (0 leaves it).
fn accumulate_at(p: u32, A: f32) {
  if (dims.accumulate == 1u) { acc[p] += A; } else if (dims.accumulate == 2u) { acc[p] = A; }
}

// Floats before slot 0's triple in `partials` (score_fold_tiled: sample s's at s · fd.pstride).
var<private> part_base: u32;

fn reduce3(li: u32, a: f32, b: f32, c: f32, max_third: bool, slot: u32) {
  r0[li] = a;
  r1[li] = b;
  r2[li] = c;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) {
      r0[li] += r0[li + s];
      r1[li] += r1[li + s];
      if (max_third) { r2[li] = max(r2[li], r2[li + s]); } else { r2[li] += r2[li + s]; }
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    partials[part_base + slot * 3u] = r0[0];
    partials[part_base + slot * 3u + 1u] = r1[0];
    partials[part_base + slot * 3u + 2u] = r2[0];
  }
  workgroupBarrier(); // r0 … r2 are free for the next reduction
}

@compute @workgroup_size(256)
fn score_reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let slot = wg.y * dims.groups_x + wg.x;
  let p = slot * 256u + li;
  var A = 0.0;
  if (p < dims.O * dims.I) {
    let o = p / dims.I;
    let i = p % dims.I;
    var g = 0.0;
    if (needs_grad()) { g = grad_a(o, i); }
    var xn = 0.0;
    if (needs_norms()) { xn = xna[i]; }
    A = metric(w_elem(p), g, xn);
    accumulate_at(p, A);
  }
  reduce3(li, A, A * A, A, true, slot);
}

@compute @workgroup_size(256)
fn score_pair(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let slot = wg.y * dims.groups_x + wg.x;
  let p = slot * 256u + li;
  var Aa = 0.0;
  var Ab = 0.0;
  if (p < dims.O * dims.I) {
    let o = p / dims.I;
    let i = p % dims.I;
    let w = w_elem(p);
    var ga = 0.0;
    var gb = 0.0;
    if (needs_grad()) { ga = grad_a(o, i); gb = grad_b(o, i); }
    var xa_n = 0.0;
    var xb_n = 0.0;
    if (needs_norms()) { xa_n = xna[i]; xb_n = xnb[i]; }
    Aa = metric(w, ga, xa_n);
    Ab = metric(w, gb, xb_n);
  }
  reduce3(li, abs(Aa * Ab), Aa * Aa, Ab * Ab, false, slot);
}

// ---- Tiled kernels (real GPUs): one 16 × 16 workgroup scores a 64 (o) × 64 (i) tile, 4 × 4
// parameters per invocation (lid.y: o; lid.x: i). g = dYᵀX comes from grad_tile() of
// shaders/score_grad.wgsl, appended by src/gpu/ops/score.ts; the epilogue decodes each weight
// once. Partials: one triple per tile, slot = tile_o · groups_x + tile_i.

// The tiled epilogue: A of this invocation's 4 × 4 parameters from g (times `unscale`), into
// acc, and the tile's partials. Every weight and old sum is read before any is written (a read
// after a write to acc cannot be moved ahead of it: one at a time, each waits out a latency).
fn reduce_tile(wg: vec3u, lid: vec3u, li: u32, g: array<f32, 16>, unscale: f32) {
  var w: array<f32, 16>;
  var old: array<f32, 16>; // 0 where acc is written over (accumulate = 2): 0 + A = A
  for (var k = 0u; k < 16u; k++) {
    let o = wg.y * 64u + lid.y * 4u + k / 4u;
    let i = wg.x * 64u + lid.x * 4u + k % 4u;
    if (o < dims.O && i < dims.I) {
      w[k] = w_elem(o * dims.I + i);
      if (dims.accumulate == 1u) { old[k] = acc[o * dims.I + i]; }
    }
  }
  var s0 = 0.0;
  var s1 = 0.0;
  var s2 = 0.0;
  for (var k = 0u; k < 16u; k++) {
    let o = wg.y * 64u + lid.y * 4u + k / 4u;
    let i = wg.x * 64u + lid.x * 4u + k % 4u;
    if (o < dims.O && i < dims.I) {
      var xn = 0.0;
      if (needs_norms()) { xn = xna[i]; }
      let A = metric(w[k], g[k] * unscale, xn);
      if (dims.accumulate != 0u) { acc[o * dims.I + i] = old[k] + A; }
      s0 += A;
      s1 += A * A;
      s2 = max(s2, A);
    }
  }
  reduce3(li, s0, s1, s2, true, wg.y * dims.groups_x + wg.x);
}

@compute @workgroup_size(16, 16)
fn score_reduce_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                      @builtin(local_invocation_index) li: u32) {
  var g: array<f32, 16>;
  if (needs_grad()) { g = grad_tile(wg, li, false); }
  reduce_tile(wg, lid, li, g, 1.0);
}

@compute @workgroup_size(16, 16)
fn score_pair_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                    @builtin(local_invocation_index) li: u32) {
  var ga: array<f32, 16>;
  var gb: array<f32, 16>;
  if (needs_grad()) {
    ga = grad_tile(wg, li, false);
    gb = grad_tile(wg, li, true);
  }
  var s0 = 0.0;
  var s1 = 0.0;
  var s2 = 0.0;
  for (var y = 0u; y < 4u; y++) {
    let o = wg.y * 64u + lid.y * 4u + y;
    for (var c = 0u; c < 4u; c++) {
      let i = wg.x * 64u + lid.x * 4u + c;
      if (o < dims.O && i < dims.I) {
        let w = w_elem(o * dims.I + i);
        var xa_n = 0.0;
        var xb_n = 0.0;
        if (needs_norms()) { xa_n = xna[i]; xb_n = xnb[i]; }
        let Aa = metric(w, ga[y * 4u + c], xa_n);
        let Ab = metric(w, gb[y * 4u + c], xb_n);
        s0 += abs(Aa * Ab);
        s1 += Aa * Aa;
        s2 += Ab * Ab;
      }
    }
  }
  reduce3(li, s0, s1, s2, false, wg.y * dims.groups_x + wg.x);
}

// score_fold_tiled: a batch's fd.n samples of one set (sample s at rows s · fd.stride of dya and xa,
// its first fd.Ts[s] rows its tokens) in one workgroup per tile: each sample's g and A, its
// partials (score_reduce_tiled's, at s · fd.pstride floats), Σ_s A kept in registers and added to
// the set's sums once (as dims.accumulate says). Each weight decoded once for the batch. Each A
// and partial is score_reduce_tiled's bit for bit; the set's sum adds the batch's A first, then
// the old sum (the same terms in another order). Gradient metrics only.
struct FoldDims { n: u32, stride: u32, pstride: u32, _a: u32, Ts: array<vec4u, 2> }
@group(0) @binding(14) var<uniform> fd: FoldDims;

@compute @workgroup_size(16, 16)
fn score_fold_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                    @builtin(local_invocation_index) li: u32) {
  var w: array<f32, 16>;
  var sum: array<f32, 16>;
  for (var k = 0u; k < 16u; k++) {
    let o = wg.y * 64u + lid.y * 4u + k / 4u;
    let i = wg.x * 64u + lid.x * 4u + k % 4u;
    if (o < dims.O && i < dims.I) { w[k] = w_elem(o * dims.I + i); }
  }
  for (var s = 0u; s < fd.n; s++) {
    row_base = s * fd.stride;
    part_base = s * fd.pstride;
    let g = grad_tile_of(wg, li, false, fd.Ts[s / 4u][s % 4u]);
    var s0 = 0.0;
    var s1 = 0.0;
    var s2 = 0.0;
    for (var k = 0u; k < 16u; k++) {
      let o = wg.y * 64u + lid.y * 4u + k / 4u;
      let i = wg.x * 64u + lid.x * 4u + k % 4u;
      if (o < dims.O && i < dims.I) {
        let A = metric(w[k], g[k], 0.0);
        sum[k] += A;
        s0 += A;
        s1 += A * A;
        s2 = max(s2, A);
      }
    }
    reduce3(li, s0, s1, s2, true, wg.y * dims.groups_x + wg.x);
  }
  if (dims.accumulate == 0u) { return; }
  var old: array<f32, 16>; // 0 where acc is written over (accumulate = 2)
  for (var k = 0u; k < 16u; k++) {
    let o = wg.y * 64u + lid.y * 4u + k / 4u;
    let i = wg.x * 64u + lid.x * 4u + k % 4u;
    if (dims.accumulate == 1u && o < dims.O && i < dims.I) { old[k] = acc[o * dims.I + i]; }
  }
  for (var k = 0u; k < 16u; k++) {
    let o = wg.y * 64u + lid.y * 4u + k / 4u;
    let i = wg.x * 64u + lid.x * 4u + k % 4u;
    if (o < dims.O && i < dims.I) { acc[o * dims.I + i] = old[k] + sum[k]; }
  }
}

// score_reduce_tiled's epilogue over a formed g (see the header): same tiles, slots and order.
@compute @workgroup_size(16, 16)
fn score_reduce_g(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(local_invocation_index) li: u32) {
  var g: array<f32, 16>;
  for (var y = 0u; y < 4u; y++) {
    let o = wg.y * 64u + lid.y * 4u + y;
    for (var c = 0u; c < 4u; c++) {
      let i = wg.x * 64u + lid.x * 4u + c;
      if (o < dims.O && i < dims.I) { g[y * 4u + c] = dya[o * dims.I + i]; }
    }
  }
  reduce_tile(wg, lid, li, g, bitcast<f32>(dims.gunscale));
}
