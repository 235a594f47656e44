// linear_f16p — the f16 path's linears (shaders/linear_f16.wgsl: forward Y = X Wᵀ, backward
// dX = dY W, both operands rounded to f16 after the left one is multiplied by `scale`) with packed
// f16 arithmetic, for adapters with shader-f16 but no subgroup matrices (Chrome on Windows/D3D12):
// each 16-long run of the reduction is summed in vec4<f16> fused multiply-adds (two f16 lanes per
// f32 lane's cost on most GPUs), then added to f32 sums. Appended after linear_f16.wgsl (its Dims,
// bindings, span() and put(); split-K alike) by src/gpu/ops/linear.ts; the f16 path's linears
// where the adapter has no subgroup matrices (options.f16Packed; bench --f16-unpacked for the
// f32-multiply-add kernel). H100, M = 512, the 7B shapes: 24.7–27.6 TFLOP/s against 19.2–20.5
// for linear_f16.wgsl and 23.6–28.0 for stock f32 (bench/results/README.md, session 17).
// Error: each run's f16 sum of 16 products p_k is within γ₁₆ · Σ|p_k| + 16 · 2⁻²⁵ of the exact
// sum (γ₁₆ = 16u / (1 − 16u), u = 2⁻¹¹; the second term: products below f16's normal range), then
// rounded once more to f16 (u · |sum|): linearF16PackedBound in src/reference/linear.ts. A run whose
// sum passes 65504 overflows to ∞ (the run's checks then fail it): |X| · |W| sums of 16 stay far
// below that in Llama models (forward activations ≲ 10³ times weights ≲ 1; gradients × 2¹⁰ alike).
// Work split: 16 × 16 invocations take a 128 × 128 tile, 8 × 8 outputs each (rows 4·ly … +3 and
// 64 + 4·ly … +3, columns likewise with lx); chunks of 16 staged transposed as vec4<f16>, the next
// chunk read into registers meanwhile.
// Twin: linearForwardF16 / linearBackwardInputF16 (src/reference/linear.ts) within that bound.

const PW: u32 = 16u;               // invocations per side
const PNT: u32 = PW * PW;          // invocations
const PM: u32 = 8u * PW;           // output rows (tokens) per tile
const PN: u32 = 8u * PW;           // output columns per tile
const PK: u32 = 16u;               // reduction chunk: one f16 run
const PAV: u32 = PM * PK / (4u * PNT); // vec4s of the left operand per invocation and chunk
const PW8: u32 = PN * PK / (8u * PNT); // groups of 8 weights per invocation and chunk

var<workgroup> ah4: array<vec4<f16>, PK * PM / 4u>; // [k][row quad]
var<workgroup> wh4: array<vec4<f16>, PK * PN / 4u>; // [k][column quad]

struct PChunk { a: array<vec4f, PAV>, w: array<array<f32, 8>, PW8> }

// Group g of 8 weights: forward W[n, k … k + 7] (n = g / (PK / 8)), backward W[k, n … n + 7].
fn p_group(g: u32, backward: bool) -> vec2u {
  let kk = select((g % (PK / 8u)) * 8u, g / (PN / 8u), backward);
  let nn = select(g / (PK / 8u), (g % (PN / 8u)) * 8u, backward);
  return vec2u(kk, nn);
}

fn p_fetch(k0: u32, s: Span, row0: u32, col0: u32, li: u32, backward: bool) -> PChunk {
  var ch: PChunk;
  for (var r = 0u; r < PAV; r++) {
    let e = li + PNT * r; // k fastest: 16 invocations read 16 consecutive values of a row
    let k = k0 + e % PK;
    let q = e / PK;
    for (var c = 0u; c < 4u; c++) {
      let t = row0 + 4u * q + c;
      if (t < dims.T && k < s.K) { ch.a[r][c] = a[t * s.Kall + k] * dims.scale; }
    }
  }
  for (var r = 0u; r < PW8; r++) {
    let kn = p_group(li + PNT * r, backward);
    ch.w[r] = w_b8(k0 + kn.x, col0 + kn.y, s.K, s.N, dims.I, backward);
  }
  return ch;
}

fn p_put(ch: PChunk, li: u32, backward: bool) {
  for (var r = 0u; r < PAV; r++) {
    let e = li + PNT * r;
    ah4[(e % PK) * (PM / 4u) + e / PK] = vec4<f16>(ch.a[r]);
  }
  for (var r = 0u; r < PW8; r++) {
    let kn = p_group(li + PNT * r, backward);
    for (var c = 0u; c < 8u; c++) {
      let k = select(kn.x + c, kn.x, backward);
      let n = select(kn.y, kn.y + c, backward);
      wh4[k * (PN / 4u) + n / 4u][n % 4u] = f16(ch.w[r][c]);
    }
  }
}

fn f16p_tile(wg: vec3u, lid: vec3u, backward: bool) {
  let s = span(wg.z, backward);
  // lid clamped once, so that WGSL's bounds rule adds no clamp to the inner loop's reads
  // (as shaders/linear.wgsl's tiled kernel)
  let ly = min(lid.y, PW - 1u);
  let lx = min(lid.x, PW - 1u);
  let li = ly * PW + lx;
  let row0 = wg.y * PM;
  let col0 = wg.x * PN;
  var acc: array<vec4f, 16>; // row r (0 … 7), column quad h (0, 1): acc[2r + h]
  var ch = p_fetch(s.kb, s, row0, col0, li, backward);
  for (var k0 = s.kb; k0 < s.K; k0 += PK) {
    workgroupBarrier(); // the previous chunk's reads of ah4, wh4 are done
    p_put(ch, li, backward);
    workgroupBarrier();
    if (k0 + PK < s.K) { ch = p_fetch(k0 + PK, s, row0, col0, li, backward); }
    // the run in f16 (staged zeros past K add nothing)
    var part = array<vec4<f16>, 16>(); // zeroed per run, written out
    for (var k = 0u; k < PK; k++) {
      let a0 = ah4[k * (PM / 4u) + ly];
      let a1 = ah4[k * (PM / 4u) + PW + ly];
      let w0 = wh4[k * (PN / 4u) + lx];
      let w1 = wh4[k * (PN / 4u) + PW + lx];
      for (var y = 0u; y < 4u; y++) {
        part[2u * y] = fma(vec4<f16>(a0[y]), w0, part[2u * y]);
        part[2u * y + 1u] = fma(vec4<f16>(a0[y]), w1, part[2u * y + 1u]);
        part[8u + 2u * y] = fma(vec4<f16>(a1[y]), w0, part[8u + 2u * y]);
        part[9u + 2u * y] = fma(vec4<f16>(a1[y]), w1, part[9u + 2u * y]);
      }
    }
    for (var i = 0u; i < 16u; i++) { acc[i] += vec4f(part[i]); }
  }
  for (var r = 0u; r < 8u; r++) {
    let t = row0 + (r / 4u) * (PM / 2u) + ly * 4u + r % 4u;
    for (var x = 0u; x < 8u; x++) {
      let n = col0 + (x / 4u) * (PN / 2u) + lx * 4u + x % 4u;
      put(wg.z, s, t, n, acc[2u * r + x / 4u][x % 4u]);
    }
  }
}

@compute @workgroup_size(PW, PW)
fn linear_forward_f16p(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  f16p_tile(wg, lid, false);
}

@compute @workgroup_size(PW, PW)
fn linear_backward_input_f16p(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  f16p_tile(wg, lid, true);
}
