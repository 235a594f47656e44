// linear — forward Y = X Wᵀ; backward dX = dY W, with W quantized (shaders/quant.wgsl, QTYPE).
// Shapes: X (T, I), W (O, I) as GGUF bytes, Y and dY (T, O), dX (T, I).
// Two kernels per direction, same results (each output accumulates its dot product in index
// order, as src/reference/linear.ts):
//  - linear_forward / linear_backward_input: one invocation per output, 16×16 workgroups. Best on
//    software adapters, where workgroup barriers cost more than they save.
//  - *_tiled: TW×TW workgroups compute an 8TW×8TW output tile (TW = 8 or 16, set by
//    src/gpu/ops/linear.ts: 64×64 or 128×128), 8×8 outputs per invocation; the
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

// TW: invocations per side of the workgroup, 8 or 16 (declared by src/gpu/ops/linear.ts)
const NT: u32 = TW * TW;   // invocations
const TM: u32 = 8u * TW;   // output rows (tokens) per tile
const TN: u32 = 8u * TW;   // output columns per tile
const TK: u32 = 16u;       // reduction chunk
const AV: u32 = TM * TK / (4u * NT); // vec4s of the left operand per invocation and chunk
const WG8: u32 = TN * TK / (8u * NT); // groups of 8 weights per invocation and chunk

// the staged chunk (see put)
var<workgroup> as4: array<vec4f, TK * TM / 4u>;
var<workgroup> ws4: array<vec4f, TK * TN / 4u>;

// One chunk of the reduction in registers: AV vec4s of the left operand (the as4 stage) and WG8
// groups of 8 weights along a row of W, read while the previous chunk is multiplied.
struct Chunk { a: array<vec4f, AV>, w: array<array<f32, 8>, WG8> }

fn fetch(k0: u32, K: u32, Kall: u32, N: u32, row0: u32, col0: u32, li: u32, backward: bool) -> Chunk {
  var ch: Chunk;
  for (var r = 0u; r < AV; r++) {
    // vec4 e = li + NT r of the (16 k × TM / 4 q) stage: rows 4q … 4q+3 of the left operand at
    // k; k fastest, so 16 invocations read 16 consecutive values of a row
    let e = li + NT * r;
    let k = k0 + e % 16u;
    let q = e / 16u;
    for (var c = 0u; c < 4u; c++) {
      let t = row0 + 4u * q + c;
      if (t < dims.T && k < K) { ch.a[r][c] = a[t * Kall + k]; }
    }
  }
  for (var r = 0u; r < WG8; r++) {
    // group g: forward W[n, k … k + 7] (n = g / 2), backward W[k, n … n + 7] (k = g / (TN / 8))
    let g = li + NT * r;
    let kk = select((g % 2u) * 8u, g / (TN / 8u), backward);
    let nn = select(g / 2u, (g % (TN / 8u)) * 8u, backward);
    ch.w[r] = w_b8(k0 + kk, col0 + nn, K, N, dims.I, backward);
  }
  return ch;
}

// Stages a chunk transposed, as vec4s, so that the inner loop reads one vec4 of each with no bank
// conflicts: as4[k · TM / 4 + q] = rows 4q … 4q+3 of the left operand at k; ws4 likewise columns.
fn put(ch: Chunk, li: u32, backward: bool) {
  for (var r = 0u; r < AV; r++) {
    let e = li + NT * r;
    as4[(e % 16u) * (TM / 4u) + e / 16u] = ch.a[r];
  }
  for (var r = 0u; r < WG8; r++) {
    let g = li + NT * r;
    let kk = select((g % 2u) * 8u, g / (TN / 8u), backward);
    let nn = select(g / 2u, (g % (TN / 8u)) * 8u, backward);
    for (var c = 0u; c < 8u; c++) {
      let k = select(kk + c, kk, backward);
      let n = select(nn, nn + c, backward);
      ws4[k * (TN / 4u) + n / 4u][n % 4u] = ch.w[r][c];
    }
  }
}

// One TM×TN tile of out (T, N) = a (T, K) · B, where B (K, N) is Wᵀ (forward: K = I, N = O) or
// W (backward: K = O, N = I); `backward` is a literal at each call, so control flow stays uniform.
// TW × TW invocations, each 8 rows × 8 columns of the tile: rows 4·ly … +3 and TM/2 + 4·ly … +3,
// columns likewise with lx, so that each reads two vec4s of each operand per k (conflict-free:
// neighbours read neighbouring vec4s) for 64 multiply-adds.
fn tiled(wg: vec3u, lid: vec3u, backward: bool) {
  let Kall = select(dims.I, dims.O, backward);
  let N = select(dims.O, dims.I, backward);
  // this workgroup's part of the reduction: [kb, K)
  let kb = wg.z * dims.chunk;
  let K = select(Kall, min(Kall, kb + dims.chunk), dims.chunk > 0u);
  // lid clamped once: WGSL's bounds rule then proves the inner loop's workgroup reads in range
  // (Tint's range analysis knows min and constant-bounded loop counters, not a helper's params)
  // and adds no clamp to them (bench/results/README.md, session 22)
  let ly = min(lid.y, TW - 1u);
  let lx = min(lid.x, TW - 1u);
  let li = ly * TW + lx;
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  var acc: array<f32, 64>;
  var ch = fetch(kb, K, Kall, N, row0, col0, li, backward);
  for (var k0 = kb; k0 < K; k0 += TK) {
    workgroupBarrier(); // the previous chunk's reads of as4, ws4 are done
    put(ch, li, backward);
    workgroupBarrier();
    if (k0 + TK < K) { ch = fetch(k0 + TK, K, Kall, N, row0, col0, li, backward); }
    let kn = min(TK, K - k0);
    for (var k = 0u; k < TK; k++) {
      if (k >= kn) { break; }
      let a0 = as4[k * (TM / 4u) + ly];
      let a1 = as4[k * (TM / 4u) + TW + ly];
      let w0 = ws4[k * (TN / 4u) + lx];
      let w1 = ws4[k * (TN / 4u) + TW + lx];
      for (var y = 0u; y < 4u; y++) {
        for (var x = 0u; x < 4u; x++) {
          acc[y * 8u + x] += a0[y] * w0[x];
          acc[y * 8u + 4u + x] += a0[y] * w1[x];
          acc[(4u + y) * 8u + x] += a1[y] * w0[x];
          acc[(4u + y) * 8u + 4u + x] += a1[y] * w1[x];
        }
      }
    }
  }
  for (var y = 0u; y < 8u; y++) {
    let t = row0 + (y / 4u) * (TM / 2u) + ly * 4u + y % 4u;
    for (var x = 0u; x < 8u; x++) {
      let c = col0 + (x / 4u) * (TN / 2u) + lx * 4u + x % 4u;
      if (t < dims.T && c < N) { out[wg.z * dims.T * N + t * N + c] = acc[y * 8u + x]; }
    }
  }
}

// Y[t, o] = Σ_i X[t, i] · W[o, i]; reduction over i < I
@compute @workgroup_size(TW, TW)
fn linear_forward_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tiled(wg, lid, false);
}

// dX[t, i] = Σ_o dY[t, o] · W[o, i]; reduction over o < O
@compute @workgroup_size(TW, TW)
fn linear_backward_input_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tiled(wg, lid, true);
}

// Split-K: out[e] = f · Σ_z part[z · n + e] in z order, n = dims.T (here: T · N), z < dims.I,
// f = the f32 with bits dims.O (1, or the f16 path's 1 / scale: a power of two, exact).
@compute @workgroup_size(256)
fn linear_split_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let e = gid.y * nw.x * 256u + gid.x;
  if (e >= dims.T) { return; }
  var s = 0.0;
  for (var z = 0u; z < dims.I; z++) { s += a[z * dims.T + e]; }
  out[e] = s * bitcast<f32>(dims.O);
}
