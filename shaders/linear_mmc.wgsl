// linear_mmc — the matrix linears staged by the tensor cores' own copies: both operands packed to
// f16 in storage first (shaders/linear_pack.wgsl, as for shaders/linear_mmd.wgsl), then each chunk
// of BK copied into workgroup memory block by block — a 16 × 16 subgroupMatrixLoad from storage
// and a subgroupMatrixStore into workgroup memory, spread over the subgroups — instead of the
// staged kernel's element-wise rounding and scalar f16 stores (shaders/linear_mm.wgsl), then
// multiplied from there as that kernel does (its MMA lines, generated). Same numbers as both.
// src/gpu/ops/linear.ts prepends the enables and a MATRIX_TILES entry's constants (COPY = 1).
// Split-K, outputs and the partial-tile epilogue as shaders/linear_mmd.wgsl.

struct Dims { T: u32, I: u32, O: u32, chunk: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a16: array<f16>;
@group(0) @binding(2) var<storage, read> w16: array<f16>;
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

// The chunk at k0 into ms, one 16 × 16 block per subgroup at a time: a (BM, BK) rows of PK, then
// B as W's rows (BN, BK) of PK going forward, W's (BK, BN) rows of PN backward.
fn copy_chunk(k0: u32, row0: u32, col0: u32, kp: u32, sg: u32, backward: bool) {
  let ip = pad256(dims.I);
  for (var b = sg; b < (BM / 16u) * (BK / 16u); b += NSG) {
    let r = 16u * (b / (BK / 16u));
    let q = 16u * (b % (BK / 16u));
    let m = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&a16, (row0 + r) * kp + k0 + q, false, kp);
    subgroupMatrixStore(&ms, r * PK + q, m, false, PK);
  }
  for (var b = sg; b < (BN / 16u) * (BK / 16u); b += NSG) {
    let n = 16u * (b / (BK / 16u));
    let q = 16u * (b % (BK / 16u));
    if (backward) {
      let m = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&w16, (k0 + q) * ip + col0 + n, false, ip);
      subgroupMatrixStore(&ms, SA + q * PN + n, m, false, PN);
    } else {
      let m = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&w16, (col0 + n) * ip + k0 + q, false, ip);
      subgroupMatrixStore(&ms, SA + n * PK + q, m, false, PK);
    }
  }
}

fn mmc_tile(wg: vec3u, sg: u32, lane: u32, backward: bool) {
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
  for (var k0 = kb; k0 < ke; k0 += BK) {
    workgroupBarrier(); // the previous chunk's loads from ms are done
    copy_chunk(k0, row0, col0, kp, sg, backward);
    workgroupBarrier();
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
fn linear_forward_mmc(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_id) sg: u32,
                      @builtin(subgroup_invocation_id) lane: u32) {
  mmc_tile(wg, sg, lane, false);
}

@compute @workgroup_size(WGS)
fn linear_backward_input_mmc(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_id) sg: u32,
                             @builtin(subgroup_invocation_id) lane: u32) {
  mmc_tile(wg, sg, lane, true);
}
