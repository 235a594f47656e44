// linear_mm_packed — what the matrix kernels on packed operands share (shaders/linear_mmd.wgsl,
// linear_mmc.wgsl, linear_mmv.wgsl), appended to each by src/gpu/ops/linear.ts (matrixCode):
// the padded widths of shaders/linear_pack.wgsl, and the epilogue of partial tiles, which reads
// their `out`, `dims` and the per-subgroup slots `mc`.

// A packed width: the next multiple of 256.
fn pad256(x: u32) -> u32 { return (x + 255u) & ~255u; }

// Result block at (rows r, columns c), times f, through this subgroup's slot to the bounds-checked
// output (of width n; partial z under split-K).
fn mmd_emit(m: subgroup_matrix_result<f32, 16, 16>, z: u32, n: u32, r: u32, c: u32, f: f32,
            sg: u32, lane: u32) {
  subgroupMatrixStore(&mc, sg * 256u, m, false, 16u);
  workgroupBarrier();
  for (var q = 0u; q < 8u; q++) {
    let e = lane + 32u * q;
    let t = r + e / 16u;
    let j = c + e % 16u;
    if (t < dims.T && j < n) { out[z * dims.T * n + t * n + j] = mc[sg * 256u + e] * f; }
  }
  workgroupBarrier();
}
