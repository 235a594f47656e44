// linear_mmv — the matrix linears staged from the packed operands 16 bytes at a time: both operands
// packed to f16 in storage first (shaders/linear_pack.wgsl), then each chunk of BK read into
// registers as vec4<u32> (8 halves each) while the tensor cores work on the previous one, and
// written into workgroup memory for the staged kernel's multiplies (shaders/linear_mm.wgsl's MMA
// lines, generated) — no rounding or decoding in the loop. Same numbers as the other matrix
// kernels. src/gpu/ops/linear.ts prepends the enables and a MATRIX_TILES entry (VEC = 1).
// Split-K, outputs and the partial-tile epilogue as shaders/linear_mmd.wgsl.

struct Dims { T: u32, I: u32, O: u32, chunk: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a16: array<vec4u>; // packed f16, 8 per vec4u
@group(0) @binding(2) var<storage, read> w16: array<vec4u>;
@group(0) @binding(3) var<uniform> dims: Dims;

const NSG: u32 = SR * SC;
const WGS: u32 = 32u * NSG;
const BM: u32 = 16u * FR * SR;
const BN: u32 = 16u * FC * SC;
const PK: u32 = BK + 8u;
const PN: u32 = BN + 8u;
const SA: u32 = BM * PK;
const STAGE: u32 = SA + max(BN * PK, BK * PN);

var<workgroup> ms: array<f16, STAGE>;
var<workgroup> mc: array<f32, 256u * NSG>;

// Chunk and fetch: shaders/linear_mmv_fetch.wgsl (appended)

fn put8(at: u32, v: vec4u) {
  for (var c = 0u; c < 4u; c++) {
    let h = bitcast<vec2<f16>>(v[c]);
    ms[at + 2u * c] = h.x;
    ms[at + 2u * c + 1u] = h.y;
  }
}

fn put(ch: Chunk, li: u32, backward: bool) {
  for (var r = 0u; r < AV; r++) {
    let e = li + WGS * r;
    put8((e / (BK / 8u)) * PK + (e % (BK / 8u)) * 8u, ch.a[r]);
  }
  for (var r = 0u; r < BV; r++) {
    let e = li + WGS * r;
    put8(SA + select((e / (BK / 8u)) * PK + (e % (BK / 8u)) * 8u,
                     (e / (BN / 8u)) * PN + (e % (BN / 8u)) * 8u, backward), ch.b[r]);
  }
}

fn mmv_tile(wg: vec3u, li: u32, sg: u32, lane: u32, backward: bool) {
  let N = select(dims.O, dims.I, backward);
  let kp = pad256(select(dims.I, dims.O, backward));
  let kb = wg.z * dims.chunk;
  let ke = select(kp, min(kp, kb + dims.chunk), dims.chunk > 0u);
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  let rs = (sg % SR) * 16u * FR; // this subgroup's rows and columns within the tile
  let cs = (sg / SR) * 16u * FC;
  let ab = 0u;
  let bb = SA;
  //@ACC_DECL
  var ch = fetch(kb, row0, col0, kp, li, backward);
  for (var k0 = kb; k0 < ke; k0 += BK) {
    workgroupBarrier(); // the previous chunk's loads from ms are done
    put(ch, li, backward);
    workgroupBarrier();
    if (k0 + BK < ke) { ch = fetch(k0 + BK, row0, col0, kp, li, backward); }
    for (var ks = 0u; ks < BK; ks += 16u) {
      //@MMA
    }
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
  mmv_tile(wg, li, sg, lane, false);
}

@compute @workgroup_size(WGS)
fn linear_backward_input_mmv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32,
                             @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  mmv_tile(wg, li, sg, lane, true);
}
