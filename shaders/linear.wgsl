// linear — forward Y = X Wᵀ; backward dX = dY W, with W quantized (shaders/quant.wgsl, QTYPE).
// Shapes: X (T, I), W (O, I) as GGUF bytes, Y and dY (T, O), dX (T, I).
// Two kernels per direction, same results (each output accumulates its dot product in index
// order, as src/reference/linear.ts):
//  - linear_forward / linear_backward_input: one invocation per output, 16×16 workgroups. Best on
//    software adapters, where workgroup barriers cost more than they save.
//  - *_tiled: 16×16 workgroups compute a 64×64 output tile, 4×4 outputs per invocation; the
//    reduction runs in chunks of 16 staged (transposed, as vec4s) in workgroup memory, so every
//    weight is decoded once per tile instead of once per output. For real GPUs. When the output
//    has few tiles (T = 128 tokens: 2 rows of tiles), the reduction is also split over workgroup z
//    (split-K) so that enough workgroups run; linear_split_sum then adds the partials in order.
// Outputs: `out` overwritten.

// chunk: tiled kernels split the reduction into chunks of this many (0: no split), one per
// workgroup z, and write partial sums (z, T, N) that linear_split_sum adds up in z order.
struct Dims { T: u32, I: u32, O: u32, chunk: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // forward: Y (T, O); backward_input: dX (T, I)
@group(0) @binding(1) var<storage, read> a: array<f32>;         // forward: X (T, I); backward_input: dY (T, O)
@group(0) @binding(2) var<storage, read> wbytes: array<u32>;    // W (O, I), GGUF bytes of type QTYPE
@group(0) @binding(3) var<uniform> dims: Dims;

// Y[t, o] = Σ_i X[t, i] · W[o, i]
@compute @workgroup_size(16, 16)
fn linear_forward(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  let t = gid.y;
  if (o >= dims.O || t >= dims.T) { return; }
  var acc = 0.0;
  for (var i = 0u; i < dims.I; i++) {
    acc += a[t * dims.I + i] * w_elem(o * dims.I + i);
  }
  out[t * dims.O + o] = acc;
}

// dX[t, i] = Σ_o dY[t, o] · W[o, i]
@compute @workgroup_size(16, 16)
fn linear_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let t = gid.y;
  if (i >= dims.I || t >= dims.T) { return; }
  var acc = 0.0;
  for (var o = 0u; o < dims.O; o++) {
    acc += a[t * dims.O + o] * w_elem(o * dims.I + i);
  }
  out[t * dims.I + i] = acc;
}

const TM: u32 = 64u; // output rows (tokens) per tile
const TN: u32 = 64u; // output columns per tile
const TK: u32 = 16u; // reduction chunk

// Staged transposed, as vec4s, so that the inner loop reads one vec4 of each with no bank
// conflicts: as4[k · 16 + q] = rows 4q … 4q+3 of the left operand at k; ws4 likewise columns.
var<workgroup> as4: array<vec4f, 256>;
var<workgroup> ws4: array<vec4f, 256>;

// One 64×64 tile of out (T, N) = a (T, K) · B, where B (K, N) is Wᵀ (forward: K = I, N = O) or
// W (backward: K = O, N = I); `backward` is a literal at each call, so control flow stays uniform.
fn tiled(wg: vec3u, lid: vec3u, backward: bool) {
  let Kall = select(dims.I, dims.O, backward);
  let N = select(dims.O, dims.I, backward);
  // this workgroup's part of the reduction: [kb, K)
  let kb = wg.z * dims.chunk;
  let K = select(Kall, min(Kall, kb + dims.chunk), dims.chunk > 0u);
  let li = lid.y * 16u + lid.x;
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  var acc: array<f32, 16>;
  for (var k0 = kb; k0 < K; k0 += TK) {
    {
      // left operand: thread (k = li % 16, q = li / 16) loads rows 4q … 4q+3 at k (k fastest:
      // 16 threads read 16 consecutive values of a row)
      let k = k0 + li % 16u;
      let q = li / 16u;
      var v = vec4f(0.0);
      for (var c = 0u; c < 4u; c++) {
        let t = row0 + 4u * q + c;
        if (t < dims.T && k < K) { v[c] = a[t * Kall + k]; }
      }
      as4[(li % 16u) * 16u + q] = v;
    }
    {
      // weights: forward reads W[col, k] (k fastest along a row of W); backward W[k, col]
      // (col fastest); either way thread (kk, q) decodes columns 4q … 4q+3 at kk
      let kk = select(li % 16u, li / 16u, backward);
      let q = select(li / 16u, li % 16u, backward);
      let k = k0 + kk;
      var v = vec4f(0.0);
      for (var c = 0u; c < 4u; c++) {
        let n = col0 + 4u * q + c;
        if (n < N && k < K) { v[c] = w_elem(select(n * dims.I + k, k * dims.I + n, backward)); }
      }
      ws4[kk * 16u + q] = v;
    }
    workgroupBarrier();
    let kn = min(TK, K - k0);
    for (var k = 0u; k < kn; k++) {
      let av = as4[k * 16u + lid.y];
      let wv = ws4[k * 16u + lid.x];
      for (var y = 0u; y < 4u; y++) {
        for (var x = 0u; x < 4u; x++) {
          acc[y * 4u + x] += av[y] * wv[x];
        }
      }
    }
    workgroupBarrier();
  }
  for (var y = 0u; y < 4u; y++) {
    let t = row0 + lid.y * 4u + y;
    for (var x = 0u; x < 4u; x++) {
      let c = col0 + lid.x * 4u + x;
      if (t < dims.T && c < N) { out[wg.z * dims.T * N + t * N + c] = acc[y * 4u + x]; }
    }
  }
}

// Y[t, o] = Σ_i X[t, i] · W[o, i]; reduction over i < I
@compute @workgroup_size(16, 16)
fn linear_forward_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tiled(wg, lid, false);
}

// dX[t, i] = Σ_o dY[t, o] · W[o, i]; reduction over o < O
@compute @workgroup_size(16, 16)
fn linear_backward_input_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tiled(wg, lid, true);
}

// Split-K: out[e] = Σ_z part[z · n + e] in z order, n = dims.T (here: T · N), z < dims.I.
@compute @workgroup_size(256)
fn linear_split_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let e = gid.y * nw.x * 256u + gid.x;
  if (e >= dims.T) { return; }
  var s = 0.0;
  for (var z = 0u; z < dims.I; z++) { s += a[z * dims.T + e]; }
  out[e] = s;
}
