// linear_mm_right — the right-hand operand of the matrix kernels that multiply from workgroup
// memory (shaders/linear_mm.wgsl, linear_mmc.wgsl, linear_mmv.wgsl), appended to each by
// src/gpu/ops/linear.ts (matrixCode); it reads their staged chunk `ms` and row strides PK, PN.

// Right-hand 16 × 16 block at (ks, column c) of the B staged at `bb`: backward B = W staged as
// (k, n) rows of PN, forward B = Wᵀ staged as W's (n, k) rows of PK and loaded column-major.
fn mm_right(bb: u32, ks: u32, c: u32, backward: bool) -> subgroup_matrix_right<f16, 16, 16> {
  if (backward) {
    return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&ms, bb + ks * PN + c, false, PN);
  }
  return subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&ms, bb + c * PK + ks, true, PK);
}
