// linear_mmvs — shaders/linear_mmv.wgsl with its staged chunk cut into slabs, so that every
// subgroupMatrixLoad has a constant offset and stride into a fixed-size array: WGSL's bounds rule
// (Tint's robustness transform) puts each matrix load whose offset it cannot prove in bounds
// inside a branch on the array's length; with the offset and stride constants it proves it at
// compile time and the load stays a plain load (only the slab index, uniform per subgroup, is
// clamped). The slabs: `sa[g]` holds the a rows of row group g (16 · FR rows of PK), `sb[g]` the B
// of column group g — forward W's rows (16 · FC rows of PK), backward W's (k, n) rows of PNS over
// the group's 16 · FC columns. src/gpu/ops/linear.ts writes the multiplies with literal offsets
// (both 16-wide steps of a chunk of BK = 32) at //@MMA_ALL. Everything else as linear_mmv.wgsl
// (packed operands read 16 bytes at a time, split-K, outputs, the partial-tile epilogue).

struct Dims { T: u32, I: u32, O: u32, chunk: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a16: array<vec4u>; // packed f16, 8 per vec4u
@group(0) @binding(2) var<storage, read> w16: array<vec4u>;
@group(0) @binding(3) var<uniform> dims: Dims;

const NSG: u32 = SR * SC;
const WGS: u32 = 32u * NSG;
const RG: u32 = 16u * FR; // rows of a row group (one subgroup's rows)
const CG: u32 = 16u * FC; // columns of a column group
const BM: u32 = RG * SR;
const BN: u32 = CG * SC;
const PK: u32 = BK + 8u;  // row stride of a rows and forward B rows
const PNS: u32 = CG + 8u; // row stride of backward B rows within a column group

var<workgroup> sa: array<array<f16, RG * PK>, SR>;
var<workgroup> sb: array<array<f16, max(CG * PK, BK * PNS)>, SC>;
var<workgroup> mc: array<f32, 256u * NSG>;

// Chunk and fetch: shaders/linear_mmv_fetch.wgsl (appended)

// The 8 halves of v at slab g, offset at (a multiple of 8): the slab and offset clamped once, so that
// WGSL's bounds rule proves the 8 stores in range and adds no clamp, and the offset clamped in
// units of 8 halves (`min(at >> 3, …) << 3`), so that the driver still sees a multiple of 8: its
// 8 f16 stores then merge into one 16-byte store (H100, batch of 8, per sample: forward 24.13 →
// 18.40 ms, backward-input 12.74 → 9.07 against `min(at, N − 8)`; bench/results/README.md,
// session 22).
fn put_a(g: u32, at: u32, v: vec4u) {
  let gg = min(g, SR - 1u);
  let a0 = min(at >> 3u, RG * PK / 8u - 1u) << 3u;
  for (var c = 0u; c < 4u; c++) {
    let h = bitcast<vec2<f16>>(v[c]);
    sa[gg][a0 + 2u * c] = h.x;
    sa[gg][a0 + 2u * c + 1u] = h.y;
  }
}

fn put_b(g: u32, at: u32, v: vec4u) {
  let gg = min(g, SC - 1u);
  let b0 = min(at >> 3u, max(CG * PK, BK * PNS) / 8u - 1u) << 3u;
  for (var c = 0u; c < 4u; c++) {
    let h = bitcast<vec2<f16>>(v[c]);
    sb[gg][b0 + 2u * c] = h.x;
    sb[gg][b0 + 2u * c + 1u] = h.y;
  }
}

fn put(ch: Chunk, li: u32, backward: bool) {
  for (var r = 0u; r < AV; r++) {
    let e = li + WGS * r;
    let row = e / (BK / 8u);
    put_a(row / RG, (row % RG) * PK + (e % (BK / 8u)) * 8u, ch.a[r]);
  }
  for (var r = 0u; r < BV; r++) {
    let e = li + WGS * r;
    if (backward) {
      let n = (e % (BN / 8u)) * 8u; // row k = e / (BN / 8), columns n … n + 7
      put_b(n / CG, (e / (BN / 8u)) * PNS + n % CG, ch.b[r]);
    } else {
      let n = e / (BK / 8u); // row n, k (e % (BK / 8)) · 8 …
      put_b(n / CG, (n % CG) * PK + (e % (BK / 8u)) * 8u, ch.b[r]);
    }
  }
}

fn mmvs_tile(wg: vec3u, li: u32, sg: u32, lane: u32, backward: bool) {
  let N = select(dims.O, dims.I, backward);
  let kp = pad256(select(dims.I, dims.O, backward));
  let kb = wg.z * dims.chunk;
  let ke = select(kp, min(kp, kb + dims.chunk), dims.chunk > 0u);
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  let ga = sg % SR; // this subgroup's row group and column group
  let gb = sg / SR;
  let rs = ga * RG;
  let cs = gb * CG;
  //@ACC_DECL
  var ch = fetch(kb, row0, col0, kp, li, backward);
  for (var k0 = kb; k0 < ke; k0 += BK) {
    workgroupBarrier(); // the previous chunk's loads from the slabs are done
    put(ch, li, backward);
    workgroupBarrier();
    if (k0 + BK < ke) { ch = fetch(k0 + BK, row0, col0, kp, li, backward); }
    //@MMA_ALL
  }
  let f = select(1.0 / dims.scale, 1.0, dims.chunk > 0u);
  let whole = row0 + BM <= dims.T && col0 + BN <= N && N % 4u == 0u;
  if (whole && f == 1.0) {
    let at = wg.z * dims.T * N + (row0 + rs) * N + col0 + cs;
    //@STORE
    return;
  }
  //@EMIT
}

@compute @workgroup_size(WGS)
fn linear_forward_mmv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                      @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mmvs_tile(wg, li, sg, lane, false);
}

@compute @workgroup_size(WGS)
fn linear_backward_input_mmv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                             @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mmvs_tile(wg, li, sg, lane, true);
}
