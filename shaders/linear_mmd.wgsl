// linear_mmd — the matrix linears with both operands loaded by the tensor cores straight from
// storage: forward Y = X Wᵀ and backward dX = dY W on subgroup matrices (f16 × f16 → f32,
// 16 × 16 × 16, 32-wide subgroups), the operands first packed to f16 by shaders/linear_pack.wgsl
// (activations times `scale`, weights decoded once per call), zero-padded so that every block
// loaded lies inside: no workgroup staging, no barriers in the loop, no bounds checks. Same
// numbers as shaders/linear_mm.wgsl (operands rounded to f16, f32 sums; twin: the f16 linears of
// src/reference/linear.ts); the order of the sums within a 16-wide step is the hardware's.
// src/gpu/ops/linear.ts prepends the `enable` / `requires` lines and the tile constants (an entry
// of MATRIX_TILES with `direct`: SR × SC subgroups, each FR × FC result matrices) and writes the
// result matrices out as plain variables c_i_j at the //@ lines.
// Layouts: a16 (pad(T, 128), pad(K, 256)) row-major; w16 (pad(O, 256), pad(I, 256)) row-major,
// loaded column-major going forward (B = Wᵀ) and row-major backward (B = W).
// Split-K as in shaders/linear_f16.wgsl (chunk > 0: raw partials per workgroup z, summed and
// unscaled by linear_split_sum). Outputs: `out` overwritten.

struct Dims { T: u32, I: u32, O: u32, chunk: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // forward: Y (T, O); backward_input: dX (T, I)
@group(0) @binding(1) var<storage, read> a16: array<f16>;       // X or dY · scale, packed
@group(0) @binding(2) var<storage, read> w16: array<f16>;       // W, packed
@group(0) @binding(3) var<uniform> dims: Dims;

const NSG: u32 = SR * SC;      // subgroups per workgroup
const WGS: u32 = 32u * NSG;    // invocations per workgroup
const BM: u32 = 16u * FR * SR; // output rows (tokens) per tile
const BN: u32 = 16u * FC * SC; // output columns per tile

var<workgroup> mc: array<f32, 256u * NSG>; // a 16 × 16 result slot per subgroup (partial tiles)

// Right-hand 16 × 16 block at (k, column n) of B.
fn mmd_right(k: u32, n: u32, backward: bool) -> subgroup_matrix_right<f16, 16, 16> {
  let ip = pad256(dims.I);
  if (backward) {
    return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&w16, k * ip + n, false, ip);
  }
  return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&w16, n * ip + k, true, ip);
}

fn mmd_tile(wg: vec3u, sg: u32, lane: u32, backward: bool) {
  let N = select(dims.O, dims.I, backward);
  let kp = pad256(select(dims.I, dims.O, backward));
  let kb = wg.z * dims.chunk;
  let ke = select(kp, min(kp, kb + dims.chunk), dims.chunk > 0u);
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  let rs = row0 + (sg % SR) * 16u * FR; // this subgroup's first row
  let cs = col0 + (sg / SR) * 16u * FC; // and column
  //@ACC_DECL
  //@PRE
  for (var k = kb; k < ke; k += 16u) {
    //@MMA
  }
  // raw partials under split-K (linear_split_sum unscales their sum), else unscaled here
  let f = select(1.0 / dims.scale, 1.0, dims.chunk > 0u);
  // whole tiles that need no unscaling straight from the result matrices, the others through
  // workgroup memory
  let whole = row0 + BM <= dims.T && col0 + BN <= N && N % 4u == 0u;
  if (whole && f == 1.0) {
    let at = wg.z * dims.T * N + rs * N + cs;
    //@STORE
    return;
  }
  //@EMIT
}

@compute @workgroup_size(WGS)
fn linear_forward_mmd(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_id) sg: u32,
                      @builtin(subgroup_invocation_id) lane: u32) {
  mmd_tile(wg, sg, lane, false);
}

@compute @workgroup_size(WGS)
fn linear_backward_input_mmd(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_id) sg: u32,
                             @builtin(subgroup_invocation_id) lane: u32) {
  mmd_tile(wg, sg, lane, true);
}
