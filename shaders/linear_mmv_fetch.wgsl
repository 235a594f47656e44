// linear_mmv_fetch — what the vector-staged matrix kernels share (shaders/linear_mmv.wgsl,
// linear_mmvs.wgsl), appended to each by src/gpu/ops/linear.ts (matrixCode): one chunk of the
// packed f16 operands read into registers 16 bytes at a time. Reads their a16, w16, dims, tile
// constants (BM, BN, BK, WGS) and linear_mm_packed.wgsl's pad256.

const AV: u32 = BM * BK / (8u * WGS); // vec4u of a per invocation and chunk
const BV: u32 = BN * BK / (8u * WGS); // and of B

struct Chunk { a: array<vec4u, AV>, b: array<vec4u, BV> }

// The chunk at k0 in registers: a's rows (BM, BK), then B as W's rows (BN, BK) going forward,
// W's rows (BK, BN) backward, 8 halves per vec4u (all offsets multiples of 8: padded widths).
fn fetch(k0: u32, row0: u32, col0: u32, kp: u32, li: u32, backward: bool) -> Chunk {
  let ip = pad256(dims.I);
  var ch: Chunk;
  for (var r = 0u; r < AV; r++) {
    let e = li + WGS * r;
    ch.a[r] = a16[((row0 + e / (BK / 8u)) * kp + k0) / 8u + e % (BK / 8u)];
  }
  for (var r = 0u; r < BV; r++) {
    let e = li + WGS * r;
    let at = select((col0 + e / (BK / 8u)) * ip + k0 + (e % (BK / 8u)) * 8u,
                    (k0 + e / (BN / 8u)) * ip + col0 + (e % (BN / 8u)) * 8u, backward);
    ch.b[r] = w16[at / 8u];
  }
  return ch;
}
